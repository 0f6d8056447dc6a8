"""Applications, passwords and service principals through the real msgraph-sdk client."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.applications.applications_request_builder import ApplicationsRequestBuilder
from msgraph.generated.applications.item.add_password.add_password_post_request_body import (
    AddPasswordPostRequestBody,
)
from msgraph.generated.applications.item.remove_password.remove_password_post_request_body import (
    RemovePasswordPostRequestBody,
)
from msgraph.generated.models.application import Application
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.password_credential import PasswordCredential
from msgraph.generated.models.service_principal import ServicePrincipal
from msgraph.generated.service_principals.service_principals_request_builder import ServicePrincipalsRequestBuilder

NAME = "akka-docker-reader"


def apps_where(filter: str, select: list[str] | None = None) -> RequestConfiguration:
    query = ApplicationsRequestBuilder.ApplicationsRequestBuilderGetQueryParameters(filter=filter, select=select)
    return RequestConfiguration(query_parameters=query)


def sps_where(filter: str) -> RequestConfiguration:
    query = ServicePrincipalsRequestBuilder.ServicePrincipalsRequestBuilderGetQueryParameters(filter=filter)
    return RequestConfiguration(query_parameters=query)


def password(display_name: str, days: int = 365) -> AddPasswordPostRequestBody:
    end = datetime.now(UTC) + timedelta(days=days)
    return AddPasswordPostRequestBody(
        password_credential=PasswordCredential(display_name=display_name, end_date_time=end)
    )


def test_app_service_principal_and_password_lifecycle(azure, graph):
    async def story(g):
        app = await g.applications.post(Application(display_name=NAME, notes="serves akka consumer p/r/s"))
        sp = await g.service_principals.post(ServicePrincipal(app_id=app.app_id))
        minted = await g.applications.by_application_id(app.id).add_password.post(password("consumer p/r/s"))
        seen = await g.applications.by_application_id(app.id).get()
        await g.applications.by_application_id(app.id).remove_password.post(
            RemovePasswordPostRequestBody(key_id=minted.key_id)
        )
        after = await g.applications.by_application_id(app.id).get()
        return app, sp, minted, seen, after

    app, sp, minted, seen, after = graph(story)

    assert sp.app_id == app.app_id and sp.display_name == NAME
    assert minted.secret_text and minted.hint == minted.secret_text[:3]
    assert [(p.key_id, p.display_name, p.secret_text) for p in seen.password_credentials] == [
        (minted.key_id, "consumer p/r/s", None)
    ]
    assert seen.notes == "serves akka consumer p/r/s"
    assert after.password_credentials == []
    assert azure.model.directory.service_principal_of(app.app_id).id == sp.id


def test_filters_find_apps_by_display_name_and_app_id(azure, graph):
    directory = azure.model.directory
    wanted = directory.create_application(NAME)
    directory.create_application("someone-else")

    async def story(g):
        by_name = await g.applications.get(apps_where(f"displayName eq '{NAME}'", ["id", "appId", "displayName"]))
        by_app_id = await g.applications.get(apps_where(f"appId eq '{wanted.app_id}'"))
        with_app_id = await g.applications_with_app_id(wanted.app_id).get()
        none = await g.applications.get(apps_where("displayName eq 'nobody''s app'"))
        return by_name, by_app_id, with_app_id, none

    by_name, by_app_id, with_app_id, none = graph(story)

    assert [a.id for a in by_name.value] == [wanted.id]
    assert by_name.value[0].notes is None  # not selected
    assert [a.id for a in by_app_id.value] == [wanted.id]
    assert with_app_id.id == wanted.id
    assert none.value == []


def test_apps_are_found_by_a_tag_but_never_by_their_notes(azure, graph):
    directory = azure.model.directory
    directory.create_application("untagged", notes="serves akka:p/*/s")

    async def story(g):
        tagged = await g.applications.post(Application(display_name=NAME, tags=["regboot", "team-a"]))
        by_tag = await g.applications.get(apps_where("tags/any(t:t eq 'regboot')"))
        by_other_variable = await g.applications.get(apps_where("tags/any(tag: tag eq 'team-a')"))
        no_such_tag = await g.applications.get(apps_where("tags/any(t:t eq 'nobody')"))
        with pytest.raises(ODataError) as by_notes:
            await g.applications.get(apps_where("notes eq 'serves akka:p/*/s'"))
        return tagged, by_tag, by_other_variable, no_such_tag, by_notes.value

    tagged, by_tag, by_other_variable, no_such_tag, by_notes = graph(story)

    assert tagged.tags == ["regboot", "team-a"]
    assert [a.id for a in by_tag.value] == [tagged.id] == [a.id for a in by_other_variable.value]
    assert no_such_tag.value == []
    assert by_notes.response_status_code == 400
    assert (by_notes.error.code, by_notes.error.message) == (
        "Request_UnsupportedQuery",
        "Unsupported or invalid query filter clause specified for property 'notes' of resource 'Application'.",
    )


def test_a_long_listing_comes_in_pages_of_100_linked_by_next_link(azure, graph):
    directory = azure.model.directory
    made = [directory.create_application(f"app-{n:03}", tags=["regboot"]).id for n in range(150)]
    directory.create_application("untagged")

    async def story(g):
        first = await g.applications.get(apps_where("tags/any(t:t eq 'regboot')", ["id"]))
        second = await g.applications.with_url(first.odata_next_link).get()
        return first, second

    first, second = graph(story)

    assert len(first.value) == 100 and "$skiptoken=" in first.odata_next_link
    assert second.odata_next_link is None
    assert [a.id for a in first.value + second.value] == made  # the same filter on every page, nothing twice
    assert second.value[0].display_name is None  # and the same $select


def test_service_principal_filter_and_delete_with_its_application(azure, graph):
    directory = azure.model.directory
    app = directory.create_application(NAME)
    directory.create_service_principal(app.app_id)

    async def story(g):
        found = await g.service_principals.get(sps_where(f"appId eq '{app.app_id}'"))
        await g.applications.by_application_id(app.id).delete()
        return found, await g.service_principals.get(sps_where(f"appId eq '{app.app_id}'"))

    found, after = graph(story)

    assert [s.app_id for s in found.value] == [app.app_id]
    assert after.value == []
    assert directory.applications == {}


def test_new_app_is_unknown_to_sp_creation_and_add_password_until_replicated(azure, graph):
    # A long delay, ended by hand: msgraph's first response parse alone can take longer than a short one.
    azure.model.replication_delay = 60

    async def story(g):
        app = await g.applications.post(Application(display_name=NAME))
        errors = []
        for call in (
            lambda: g.service_principals.post(ServicePrincipal(app_id=app.app_id)),
            lambda: g.applications.by_application_id(app.id).add_password.post(password("early")),
        ):
            try:
                await call()
            except ODataError as err:
                errors.append((err.response_status_code, err.error.message))
        azure.model.replication_delay = 0  # replication has caught up
        sp = await g.service_principals.post(ServicePrincipal(app_id=app.app_id))
        minted = await g.applications.by_application_id(app.id).add_password.post(password("later"))
        return app, errors, sp, minted

    app, errors, sp, minted = graph(story)

    assert errors[0] == (
        400,
        f"The appId '{app.app_id}' of the service principal does not reference a valid application object.",
    )
    assert errors[1][0] == 404
    assert sp.app_id == app.app_id and minted.secret_text


def test_caller_without_directory_rights_gets_insufficient_privileges(azure, graph):
    azure.model.graph_denied = True
    azure.model.directory.create_application(NAME)

    async def story(g):
        listed = await g.applications.get(apps_where(f"displayName eq '{NAME}'"))
        with pytest.raises(ODataError) as denied:
            await g.applications.post(Application(display_name="another"))
        return listed, denied.value

    listed, denied = graph(story)

    assert len(listed.value) == 1  # reads still work
    assert denied.response_status_code == 403
    assert (denied.error.code, denied.error.message) == (
        "Authorization_RequestDenied",
        "Insufficient privileges to complete the operation.",
    )
    assert len(azure.model.directory.applications) == 1


def test_missing_objects_and_unknown_password_are_graph_errors(azure, graph):
    app = azure.model.directory.create_application(NAME)

    async def story(g):
        errors = []
        for call in (
            lambda: g.applications.by_application_id(str(uuid.uuid4())).get(),
            lambda: g.applications.by_application_id("not-a-guid").get(),
            lambda: g.applications.by_application_id(app.id).remove_password.post(
                RemovePasswordPostRequestBody(key_id=uuid.uuid4())
            ),
        ):
            try:
                await call()
            except ODataError as err:
                errors.append((err.response_status_code, err.error.code))
        return errors

    assert graph(story) == [(404, "Request_ResourceNotFound"), (400, "Request_BadRequest"), (400, "Request_BadRequest")]


def test_query_options_the_sandbox_does_not_model_fail_loudly(azure, graph):
    async def story(g):
        query = ApplicationsRequestBuilder.ApplicationsRequestBuilderGetQueryParameters(top=5)
        with pytest.raises(ODataError) as unsupported:
            await g.applications.get(RequestConfiguration(query_parameters=query))
        with pytest.raises(ODataError) as bad_filter:
            await g.applications.get(apps_where("displayName eq 'a' or displayName eq 'b'"))
        return unsupported.value, bad_filter.value

    unsupported, bad_filter = graph(story)

    assert unsupported.response_status_code == 501 and "$top" in unsupported.error.message
    assert bad_filter.response_status_code == 501
