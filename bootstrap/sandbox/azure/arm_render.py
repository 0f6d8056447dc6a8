"""How Azure Resource Manager renders what the model holds: registries, subscriptions, resource providers, role
definitions and role assignments, in the shapes of the ARM REST API reference (learn.microsoft.com/rest/api/)."""

from __future__ import annotations

from typing import Any

from bootstrap.sandbox.azure.records import Registry, RoleAssignment, utc
from bootstrap.sandbox.azure.roles import RoleDefinition
from bootstrap.sandbox.azure.subscriptions import canonical


def _iso(epoch: float) -> str:
    return utc(epoch).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def render_registry(r: Registry) -> dict[str, Any]:
    created = utc(r.created_at).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return {
        "id": r.id,
        "name": r.name,
        "type": "Microsoft.ContainerRegistry/registries",
        "location": r.location,
        "tags": {},
        "sku": {"name": r.sku, "tier": r.sku},
        "systemData": {"createdAt": created, "createdByType": "User", "lastModifiedAt": created},
        "properties": {
            "loginServer": r.login_server,
            "creationDate": created,
            "provisioningState": "Succeeded",
            "adminUserEnabled": False,
            "encryption": {"status": "disabled"},
            "dataEndpointEnabled": False,
            "dataEndpointHostNames": [],
            "privateEndpointConnections": [],
            "publicNetworkAccess": "Enabled",
            "networkRuleBypassOptions": "AzureServices",
            "zoneRedundancy": "Disabled",
            "anonymousPullEnabled": False,
            "roleAssignmentMode": r.role_assignment_mode,
        },
    }


def render_subscription(subscription: str, name: str, tenant: str) -> dict[str, Any]:
    """One entry of Subscriptions - List (https://learn.microsoft.com/rest/api/resources/subscriptions/list)."""
    return {
        "id": f"/subscriptions/{subscription}",
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "subscriptionId": subscription,
        "tenantId": tenant,
        "displayName": name,
        "state": "Enabled",
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "PayAsYouGo_2014-09-01",
            "spendingLimit": "Off",
        },
    }


def render_provider(subscription: str, namespace: str, state: str) -> dict[str, Any]:
    """A resource provider as `GET /subscriptions/{id}/providers/{namespace}` shows it (resource types left out)."""
    name = canonical(namespace)
    return {
        "id": f"/subscriptions/{subscription.lower()}/providers/{name}",
        "namespace": name,
        "registrationState": state,
        "registrationPolicy": "RegistrationRequired",
        "resourceTypes": [],
    }


def role_definition_id(subscription: str, role_id: str) -> str:
    prefix = f"/subscriptions/{subscription}" if subscription else ""
    return f"{prefix}/providers/Microsoft.Authorization/roleDefinitions/{role_id}"


def render_role_definition(role: RoleDefinition, subscription: str) -> dict[str, Any]:
    return {
        "id": role_definition_id(subscription, role.id),
        "name": role.id,
        "type": "Microsoft.Authorization/roleDefinitions",
        "properties": {
            "roleName": role.name,
            "type": "BuiltInRole",
            "description": role.description,
            "assignableScopes": ["/"],
            "permissions": [
                {
                    "actions": list(role.actions),
                    "notActions": list(role.not_actions),
                    "dataActions": list(role.data_actions),
                    "notDataActions": list(role.not_data_actions),
                }
            ],
            "createdOn": "2018-01-01T00:00:00.0000000Z",
            "updatedOn": "2024-01-01T00:00:00.0000000Z",
            "createdBy": None,
            "updatedBy": None,
        },
    }


def render_assignment(a: RoleAssignment) -> dict[str, Any]:
    return {
        "id": a.id,
        "name": a.name,
        "type": "Microsoft.Authorization/roleAssignments",
        "properties": {
            "roleDefinitionId": role_definition_id(a.scope.split("/")[2], a.role_id),
            "principalId": a.principal_id,
            "principalType": a.principal_type,
            "scope": a.scope,
            "condition": a.condition,
            "conditionVersion": a.condition_version,
            "description": a.description,
            "createdOn": _iso(a.created_at),
            "updatedOn": _iso(a.created_at),
            "createdBy": a.created_by,
            "updatedBy": a.created_by,
            "delegatedManagedIdentityResourceId": None,
        },
    }
