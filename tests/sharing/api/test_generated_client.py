"""The OpenAPI document is usable by tools we did not write: openapi-python-client
generates a Python client from the document the running portal serves, and the
create → publish → acknowledge flow, and the documented errors, go through that
client alone (its functions and models; no HTTP of our own).

The client is generated once per module (about a second) into a temporary folder and
imported from there; the modules are forgotten again afterwards.
"""

import datetime
import hashlib
import importlib
import subprocess
import sys
import uuid
from types import SimpleNamespace

import httpx
import pytest

from tests.sharing.conftest import notice_content

pytestmark = pytest.mark.django_db(transaction=True)

PACKAGE = "generated_echri_client"
# No post hooks (ruff, black): the generated code need not be pretty, only importable.
# The generator knows no JSON Lines type: the FollowTheMoney export (one JSON object per
# line, application/x-ndjson) comes as bytes, as the README tells integrators to set.
CONFIG = (
    f"package_name_override: {PACKAGE}\nproject_name_override: {PACKAGE}\npost_hooks: []\n"
    "content_type_overrides:\n  application/x-ndjson: application/octet-stream\n"
)
MODULES = {
    "client": "client",
    "me": "api.me.me_retrieve",
    "create": "api.notices.notices_create",
    "publish": "api.notices.notices_publish_create",
    "retrieve": "api.notices.notices_retrieve",
    "listing": "api.notices.notices_list",
    "acknowledge": "api.notices.notices_acknowledge_create",
    "acknowledgements": "api.notices.notices_acknowledgements_retrieve",
    "models": "models",
}


@pytest.fixture(scope="module")
def generator(tmp_path_factory):
    """generate(schema_text) -> the generated package's modules, made once per schema."""
    workspace = tmp_path_factory.mktemp("openapi-client")
    made: dict[str, SimpleNamespace] = {}

    def generate(schema_text: str) -> SimpleNamespace:
        digest = hashlib.sha256(schema_text.encode()).hexdigest()
        if digest in made:
            return made[digest]
        if made:  # a second, different document in one module: not expected
            pytest.fail("the served OpenAPI document changed between tests")
        (workspace / "schema.json").write_text(schema_text)
        (workspace / "config.yml").write_text(CONFIG)
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "openapi_python_client",
                "generate",
                "--path",
                str(workspace / "schema.json"),
                "--config",
                str(workspace / "config.yml"),
                "--meta",
                "none",
                "--output-path",
                str(workspace / PACKAGE),
                # A warning means part of the document was skipped or misread.
                "--fail-on-warning",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
        sys.path.insert(0, str(workspace))
        made[digest] = SimpleNamespace(
            **{
                name: importlib.import_module(f"{PACKAGE}.{module}")
                for name, module in MODULES.items()
            }
        )
        return made[digest]

    yield generate
    if str(workspace) in sys.path:
        sys.path.remove(str(workspace))
    for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
        del sys.modules[name]


@pytest.fixture
def gen(live_server, generator):
    """The client generated from the document the live portal serves."""
    response = httpx.get(f"{live_server.url}/api/v1/schema/?format=json", timeout=30)
    assert response.status_code == 200, response.text
    return generator(response.text)


@pytest.fixture
def client_of(live_server, gen, token_for):
    """client_of(user) -> the generated AuthenticatedClient with a fresh token of ``user``."""

    def make(user):
        _token, value = token_for(user)
        return gen.client.AuthenticatedClient(
            base_url=live_server.url, token=value, raise_on_unexpected_status=True, timeout=30
        )

    return make


def draft_for_norway(models, **overrides):
    """The shared test notice, as the generated client's request model, for Norway only."""
    content = notice_content(**{"audience": "selected", "recipient_states": ["NO"], **overrides})
    content.pop("valid_until")
    return models.NoticeWriteRequest.from_dict(content)


def test_create_publish_acknowledge_through_the_generated_client(
    gen, client_of, dk_officer, no_viewer
):
    models = gen.models
    dk, no = client_of(dk_officer), client_of(no_viewer)

    me = gen.me.sync(client=dk)
    assert isinstance(me, models.Me)
    assert (me.username, me.role, me.state.code) == ("dk-officer", models.RoleEnum.OFFICER, "DK")

    before = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=1)
    created = gen.create.sync_detailed(client=dk, body=draft_for_norway(models))
    assert created.status_code == 201, created.content
    draft = created.parsed
    assert isinstance(draft, models.Notice)
    assert draft.status == models.NoticeStatusEnum.DRAFT
    assert draft.reference is None
    assert draft.audience == models.NoticeAudienceEnum.SELECTED
    assert draft.recipient_states == ["NO"]
    assert draft.tlp == models.TlpEnum.AMBER
    assert draft.entities[0].name == "Nimbus Intercept Ltd"

    published = gen.publish.sync(draft.id, client=dk)
    assert isinstance(published, models.Notice)
    assert published.id == draft.id
    assert published.status == models.NoticeStatusEnum.PUBLISHED
    assert published.reference.startswith("DK-")
    assert published.published_at >= before

    # Norway finds it by polling for what changed, and reads it.
    page = gen.listing.sync(client=no, updated_since=before)
    assert isinstance(page, models.PaginatedNoticeList)
    assert [notice.id for notice in page.results] == [draft.id]
    assert page.next_ is None
    seen = gen.retrieve.sync(draft.id, client=no)
    assert seen.title == "Spyware reseller approaching licensing authorities"

    owed = gen.acknowledgements.sync(draft.id, client=dk)
    assert (owed.acknowledgements, owed.pending_states) == ([], ["NO"])

    ask = models.AcknowledgeRequest(level=models.LevelEnum.ASSESSED, note="Checked our licences.")
    first = gen.acknowledge.sync_detailed(draft.id, client=no, body=ask)
    assert first.status_code == 201, first.content
    assert isinstance(first.parsed, models.Acknowledgement)
    assert (first.parsed.state, first.parsed.level) == ("NO", models.LevelEnum.ASSESSED)
    assert first.parsed.by == "no-viewer"
    again = gen.acknowledge.sync_detailed(draft.id, client=no, body=ask)
    assert again.status_code == 200, again.content

    answers = gen.acknowledgements.sync(draft.id, client=dk)
    assert isinstance(answers, models.Acknowledgements)
    assert answers.pending_states == []
    (ack,) = answers.acknowledgements
    assert (ack.state, ack.version, ack.level, ack.by) == (
        "NO",
        published.acknowledge_version,
        models.LevelEnum.ASSESSED,
        "no-viewer",
    )
    assert ack.note == "Checked our licences."
    assert isinstance(ack.acknowledged_at, datetime.datetime)


def test_errors_come_back_as_the_documented_types(
    gen, client_of, live_server, dk_officer, no_viewer
):
    models = gen.models
    dk = client_of(dk_officer)

    missing = gen.retrieve.sync_detailed(uuid.uuid4(), client=dk)
    assert missing.status_code == 404
    assert isinstance(missing.parsed, models.ErrorDetail)
    assert missing.parsed.detail == "Not found."

    # A selected audience names no state: the service refuses it, field by field.
    refused = gen.create.sync_detailed(
        client=dk, body=draft_for_norway(models, recipient_states=[])
    )
    assert refused.status_code == 400, refused.content
    assert isinstance(refused.parsed, models.FieldErrors)
    assert "recipient_states" in refused.parsed.additional_keys
    assert all(isinstance(message, str) for message in refused.parsed["recipient_states"])
    assert gen.listing.sync(client=dk).results == []  # nothing was made

    forbidden = gen.create.sync_detailed(client=client_of(no_viewer), body=draft_for_norway(models))
    assert forbidden.status_code == 403, forbidden.content
    assert isinstance(forbidden.parsed, models.ErrorDetail)

    stranger = gen.client.AuthenticatedClient(
        base_url=live_server.url, token="echri_not-a-token", raise_on_unexpected_status=True
    )
    unknown = gen.me.sync_detailed(client=stranger)
    assert unknown.status_code == 401
    assert isinstance(unknown.parsed, models.ErrorDetail)
