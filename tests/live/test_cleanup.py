"""A scenario's clean-up removes what the run made whatever state a failed step left it in."""

from __future__ import annotations

import pytest

from tests.conftest import set_platform


@pytest.mark.parametrize("provider", ["gcr", "acr"])
@pytest.mark.parametrize("world", ["sandbox"], indirect=True)
def test_an_identity_whose_platform_entry_is_gone_is_cleaned_up(world, scenario):
    scenario.onboard()
    projects = world.box.platform_state()["projects"]
    for held in ("credentials", "secrets"):  # as a step that failed half-way through offboarding would leave it
        del projects["demo-project"][held][scenario.name]
    set_platform(world.box, projects=projects)
    assert scenario.entry() is None and scenario.name in world.identities()

    assert scenario.clean_up() == []
    assert scenario.name not in world.identities()
