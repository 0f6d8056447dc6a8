"""`pytest --live-sweep`: remove what earlier runs left behind (their names carry a run id more than an hour old),
through the same offboarding a scenario's clean-up uses; names without a run id are never touched."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from tests.scenarios.runid import Made, stale
from tests.scenarios.steps import Scenario, platform
from tests.scenarios.world import World


def names_in_use(world: World, regboot: Callable[..., Any]) -> list[str]:
    """Platform secret names and cloud identity names, whoever made them."""
    return sorted({c["secret_name"] for c in platform(world, regboot)} | set(world.identities()))


def sweep(world: World, regboot: Callable[..., Any], *, now: datetime) -> tuple[list[Made], list[str]]:
    """(what was swept, what is still there); a provider this world cannot run is left for a world that can."""
    swept, left = [], []
    for made in stale(names_in_use(world, regboot), now=now):
        if made.provider not in world.targets or made.provider in world.missing:
            left.append(f"{made.name} (not configured here: {made.provider})")
            continue
        left += Scenario(world, regboot, made.provider, made.name).clean_up()
        swept.append(made)
    return swept, left
