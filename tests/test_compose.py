"""deploy/compose.yaml cannot be run here (no Docker engine), so what it says is checked against the
code: commands the CLI accepts, variables the settings declare and read, scrape targets that exist,
and a build context holding the Dockerfile."""

from pathlib import Path

import pytest
import yaml

from helpers import ROOT
from svgrender.cli import build_parser
from svgrender.settings import Settings, declared

DEPLOY = ROOT / "deploy"
COMPOSE = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
OURS = {name: service for name, service in COMPOSE["services"].items() if "build" in service}


def test_the_build_context_holds_the_dockerfile():
    assert OURS, "no service builds the image"
    for service in OURS.values():
        assert (DEPLOY / service["build"] / "Dockerfile").is_file()


@pytest.mark.parametrize("name", sorted(OURS))
def test_each_command_is_one_the_cli_accepts(name):
    command = OURS[name]["command"]
    assert command[0] == "svgrender"
    args = build_parser().parse_args(command[1:])  # exits (fails the test) on an unknown flag
    assert args.command == command[1]


def test_every_variable_is_a_setting_that_reads():
    environment = {**next(iter(OURS.values()))["environment"]}
    ours = {key: value for key, value in environment.items() if key.startswith("SVGRENDER_")}
    known = {spec.env for spec in declared()}
    assert set(ours) <= known, f"not settings: {sorted(set(ours) - known)}"
    settings = Settings.from_env(ours)  # raises SettingError on a value of the wrong type
    assert settings.redis_url == ours["SVGRENDER_REDIS_URL"]


def test_prometheus_scrapes_the_api_replicas_on_their_port():
    scrape = yaml.safe_load((DEPLOY / "prometheus.yml").read_text())["scrape_configs"][0]
    targets = scrape["static_configs"][0]["targets"]
    for target in targets:
        host, port = target.split(":")
        command = OURS[host]["command"]
        assert command[command.index("--port") + 1] == port
    keys = OURS[targets[0].split(":")[0]]["environment"]["SVGRENDER_API_KEYS"].split(",")
    assert scrape["authorization"]["credentials"] in keys
