"""docker-compose.yml cannot run here (no Docker engine): check it points at real things."""

import os
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_production_like_services():
    services = compose()["services"]
    assert {"web", "worker", "db", "redis", "mail"} <= set(services)
    assert services["db"]["healthcheck"]["test"]
    assert services["web"]["depends_on"]["db"]["condition"] == "service_healthy"
    # Web and worker run the same image.
    assert services["web"]["image"] == services["worker"]["image"]


def test_every_command_points_at_something_in_the_project():
    from django.core.management import get_commands

    commands = get_commands()
    for name, service in compose()["services"].items():
        command = service.get("command")
        if not command or "image" in service and "build" not in service:
            continue
        text = command if isinstance(command, str) else " ".join(command)
        for part in text.replace("&&", ";").split(";"):
            words = shlex.split(part.replace('sh -c "', "").replace('"', ""))
            if not words:
                continue
            if words[:2] == ["python", "manage.py"]:
                assert words[2] in commands, f"{name}: manage.py {words[2]} does not exist"
            elif words[0] == "gunicorn":
                module, _, attr = words[1].partition(":")
                mod = __import__(module, fromlist=["x"])
                assert hasattr(mod, attr or "application"), f"{name}: {words[1]}"
            elif words[0] == "celery":
                app_module = words[words.index("-A") + 1]
                assert hasattr(__import__(app_module), "celery_app"), f"{name}: celery app"
            else:
                raise AssertionError(f"{name}: unknown command {words[0]}")


def test_dockerfile_installs_the_lock_file_and_weasyprint_libraries():
    text = (ROOT / "Dockerfile").read_text()
    assert "requirements.lock" in text and (ROOT / "requirements.lock").exists()
    assert "libpango" in text


def test_the_lock_file_pins_every_dependency_of_the_project():
    """The image installs requirements.lock alone: a dependency added to pyproject.toml
    (Jinja2 for the form renderer, say) and not locked would be missing in production."""
    import re

    import tomllib

    def name(requirement: str) -> str:
        return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    locked = {
        name(line)
        for line in (ROOT / "requirements.lock").read_text().splitlines()
        if line and not line.startswith((" ", "#", "-"))
    }
    assert {name(r) for r in declared} - locked == set()


def test_every_env_variable_read_by_settings_is_documented():
    import re

    settings_src = (ROOT / "clientreview" / "settings.py").read_text()
    read = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z_]+)"', settings_src))
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert read - documented == set()


def test_check_deploy_is_clean_with_production_variables():
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "x" * 60 + "-production-like-secret-key",
        "ALLOWED_HOSTS": "clientreview.example.com",
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_COOKIES": "true",
        "STATIC_MANIFEST": "true",
    }
    env.pop("SECURE_HSTS_SECONDS", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tier only
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_settings_refuse_to_start_without_a_secret_key_when_debug_is_off():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["DEBUG"] = "false"
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "clientreview.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
