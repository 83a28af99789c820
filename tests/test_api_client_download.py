"""
The Python client as a file of its own: downloaded from the API docs page with no key, valid
Python 3.9 that runs on the oldest Python at hand, strictly typed, and marked typed in the
package.
"""

import ast
import json
import subprocess
import sys
import tomllib
import urllib.request
from pathlib import Path

from tests.conftest import ROOT

CLIENT = ROOT / "console" / "client.py"
DOWNLOAD = "/api/v1/client.py"


def test_the_client_downloads_without_a_key_as_a_python_attachment(client, db):
    response = client.get(DOWNLOAD)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/x-python")
    assert response["Content-Disposition"] == 'attachment; filename="client.py"'
    assert response.content == CLIENT.read_bytes()


def test_the_download_offers_get_only_and_refuses_other_methods_in_json(client, db):
    head = client.head(DOWNLOAD)
    post = client.post(DOWNLOAD)

    assert head.status_code == 200
    assert post.status_code == 405
    assert post["Allow"] == "GET, HEAD"
    assert post.json()["code"] == "method_not_allowed"


def test_the_download_is_not_an_endpoint_of_the_openapi_schema(client, db):
    paths = client.get("/api/v1/schema").json()["paths"]

    assert DOWNLOAD not in paths
    assert not any("client" in path for path in paths)


def test_the_api_docs_page_links_to_the_download(alice_client):
    html = alice_client.get("/docs/api/").content.decode()
    section = html.split('id="python-client"', 1)[1].split("</section>", 1)[0]

    assert f'href="{DOWNLOAD}"' in section
    assert "from client import ManagementClient" in section


def test_the_client_is_python_3_9_syntax_with_postponed_annotations():
    source = CLIENT.read_text()

    tree = ast.parse(source, feature_version=(3, 9))  # no match, no parenthesised with

    future = next(node for node in tree.body if isinstance(node, ast.ImportFrom))
    assert future.module == "__future__" and future.names[0].name == "annotations"


def test_the_client_passes_mypy_strict():
    result = subprocess.run(
        [
            Path(sys.executable).parent / "mypy",
            "--strict",
            "--python-version",
            "3.10",  # the oldest mypy checks for; the run below covers 3.9
            str(CLIENT),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stdout


def test_the_package_marks_the_client_as_typed():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())

    assert (ROOT / "console" / "py.typed").exists()
    assert "py.typed" in pyproject["tool"]["setuptools"]["package-data"]["console"]


# --- The downloaded file, on the oldest Python at hand ---------------------------------------

# Run as a script next to the downloaded client.py: what works, and what another provider gets.
SCRIPT = """
import json, sys
from client import ManagementClient, NotFound, TokenStatus

url, key, other_key = sys.argv[1:4]
with ManagementClient(key, url) as acme, ManagementClient(other_key, url) as globex:
    model_id = acme.create_model("sentiment")
    token_id, secret = acme.generate_query_token(model_id, "old-python")
    read = acme.get_token(token_id)
    suspended = acme.update_token(token_id, status=TokenStatus.SUSPENDED, if_match=read)
    try:
        globex.get_token(token_id)
        refused = None
    except NotFound as error:
        refused = error.status
    print(json.dumps({
        "python": list(sys.version_info[:2]),
        "secret": secret[:4],
        "status": suspended.status,
        "names": [token.name for token in acme.list_tokens()],
        "refused": refused,
    }))
"""


def _version(python: str) -> tuple[int, int] | None:
    try:
        found = subprocess.run(
            [python, "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except OSError:
        return None
    if found.returncode != 0:
        return None  # a pyenv shim for a version that is not selected, say
    major, minor = map(int, found.stdout.split())
    return major, minor


def oldest_python() -> str:
    """The oldest Python 3.9 or later on this machine (pyenv's included), else this one."""
    names = [f"python3.{minor}" for minor in range(9, 13)]
    candidates = [*names, *map(str, Path.home().glob(".pyenv/versions/3.*/bin/python3"))]
    found = {
        version: python
        for python in reversed(candidates)
        if (version := _version(python)) is not None and version >= (3, 9)
    }
    return found[min(found)] if found else sys.executable


def test_the_downloaded_client_runs_on_the_oldest_python_and_another_provider_is_refused(
    live_server, alice_key, charlie_key, tmp_path
):
    with urllib.request.urlopen(live_server.url + DOWNLOAD) as response:  # noqa: S310
        (tmp_path / "client.py").write_bytes(response.read())
    python = oldest_python()

    result = subprocess.run(
        [python, "-c", SCRIPT, live_server.url, alice_key, charlie_key],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    print("ran on Python", answer["python"])
    assert answer["secret"] == "uat_"
    assert answer["status"] == "SUSPENDED"
    assert answer["names"] == ["old-python"]
    assert answer["refused"] == 404
