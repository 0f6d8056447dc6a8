"""The Azure sandbox: ARM and Microsoft Graph emulators over one model, and a stand-in `az` that hands out tokens.

    emulator = AzureEmulator()
    emulator.model.add_registry("myregistry", resource_group="rg", abac=False)
    env = emulator.start()        # REGBOOT_AZURE_ARM_ENDPOINT, REGBOOT_AZURE_GRAPH_ENDPOINT, AZURE_SUBSCRIPTION_ID, ...
    emulator.install_az(bin_dir)  # put bin_dir first on PATH: DefaultAzureCredential then gets sandbox tokens
    ...
    emulator.stop()

Operations, for `calls.inject(...)` globs and the CallLog:
  arm.subscriptions.list                                   arm.providers.get / register
  arm.registries.list / listByResourceGroup / get          arm.permissions.list
  arm.roleDefinitions.list / get                           arm.roleAssignments.create / get / delete / list
  graph.applications.list / create / get / update / delete / addPassword / removePassword
  graph.servicePrincipals.list / create / get / delete

Fault kinds beyond error/reset/delay (which every operation honours):
  not_visible  this call sees a lagging replica: a get answers 404, a list is empty, SP creation says the appId
               references no valid application, add/removePassword answer 404, role assignment says PrincipalNotFound
  conflict     a concurrent writer got there first: role assignment creation makes the same grant under another
               name (409 RoleAssignmentExists), SP creation makes the SP (409), application creation makes a
               same-named app too (Graph does not keep names unique) and then succeeds; elsewhere a plain 409
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from bootstrap.sandbox.azure.arm import ArmEmulator
from bootstrap.sandbox.azure.graph import GraphEmulator
from bootstrap.sandbox.azure.model import AzureModel
from bootstrap.sandbox.cloud import CloudEmulator

__all__ = ["AzureEmulator", "AzureModel"]


class AzureEmulator(CloudEmulator[AzureModel]):
    """ARM and Graph emulators sharing one AzureModel and one CallLog."""

    model_type = AzureModel

    def serve(self) -> tuple[ArmEmulator, GraphEmulator]:
        self.arm = ArmEmulator(self.model, self.calls)
        self.graph = GraphEmulator(self.model, self.calls)
        return self.arm, self.graph

    def environment(self) -> dict[str, str]:
        return {
            "REGBOOT_AZURE_ARM_ENDPOINT": self.arm.url,
            "REGBOOT_AZURE_GRAPH_ENDPOINT": self.graph.url,
            "AZURE_SUBSCRIPTION_ID": self.model.subscription,
            "AZURE_TOKEN_CREDENTIALS": "AzureCliCredential",
        }

    def reset(self, model: AzureModel | None = None) -> AzureModel:
        """Serve a fresh model (or `model`) and forget every call and queued fault, without restarting: a test's
        clean world at no start-up cost. Tokens minted for the previous model stop working, as they should."""
        self.model = model if model is not None else AzureModel()
        self.arm.model = self.graph.model = self.model
        self.calls.clear()
        return self.model

    def install_az(self, bin_dir: Path) -> Path:
        """Write an executable `az` into `bin_dir` that answers token requests from this (started) emulator.

        Put `bin_dir` first on PATH. The launcher names this emulator's control URL and runs az_cli.py as a plain
        script (standard library only, so a token costs one bare interpreter start; `-S` skips site's .pth files, `-P`
        keeps the script's own folder, whose modules are not standalone, off sys.path)."""
        # Imported here, not at the top: `python -m bootstrap.sandbox.azure.az_cli` must not find it imported already.
        from bootstrap.sandbox.azure import az_cli

        bin_dir.mkdir(parents=True, exist_ok=True)
        launcher = bin_dir / "az"
        launcher.write_text(
            "#!/bin/sh\n"
            "# Stand-in Azure CLI of the regboot sandbox: bootstrap/sandbox/azure/az_cli.py\n"
            f"export {az_cli.CONTROL_ENV}={shlex.quote(self.arm.url)}\n"
            f'exec {shlex.quote(sys.executable)} -S -P {shlex.quote(str(Path(az_cli.__file__).resolve()))} "$@"\n'
        )
        launcher.chmod(0o755)
        return launcher
