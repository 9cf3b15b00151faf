"""The portal speaks English, French and Spanish, completely.

The catalogues leave nothing untranslated or fuzzy, keep every placeholder, and the
compiled files say what the catalogues say. The templates hold no words outside a
translation tag. And every page an officer of Costa Rica (Spanish by its state's default)
reaches through the portal's links renders without a sentence of the catalogue left in
English.
"""

import datetime
import re
import zoneinfo
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.template.base import Lexer, TokenType
from django.test import Client
from django.utils import translation

from tests.crawl import SKIP, walk

ROOT = Path(settings.BASE_DIR)
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdirf]|%[sdirf]|\{\w*\}")


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))


def entries(language: str) -> list[polib.POEntry]:
    return [entry for entry in catalogue(language) if not entry.obsolete]


def test_the_portal_offers_english_french_and_spanish():
    assert [code for code, _name in settings.LANGUAGES] == ["en", "fr", "es"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_string_is_left_untranslated_or_fuzzy(language):
    found = entries(language)
    assert len(found) > 1000  # the catalogue was read, not an empty file
    untranslated = [e.msgid for e in found if not e.translated()]
    fuzzy = [e.msgid for e in found if "fuzzy" in e.flags]
    assert not untranslated, untranslated[:20]
    assert not fuzzy, fuzzy[:20]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_translation_keeps_the_placeholders(language):
    wrong = []
    for entry in entries(language):
        want = sorted(m.group(0) for m in PLACEHOLDER.finditer(entry.msgid))
        if entry.msgid_plural:
            forms = sorted(entry.msgstr_plural.items())
        else:
            forms = [(None, entry.msgstr)]
        for index, text in forms:
            got = sorted(m.group(0) for m in PLACEHOLDER.finditer(text))
            # The singular form may say "one" instead of the count.
            if got != want and not (index == 0 and set(got) <= set(want)):
                wrong.append((entry.msgid, text))
    assert not wrong, wrong[:10]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_is_the_current_one(language):
    compiled = polib.mofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.mo"))
    key = lambda e: (e.msgctxt or "", e.msgid)  # noqa: E731
    have = {key(e): e.msgstr_plural or e.msgstr for e in compiled if e.msgid}
    want = {key(e): e.msgstr_plural or e.msgstr for e in entries(language)}
    stale = {k for k in want if have.get(k) != want[k]}
    assert not stale, f"run `make messages`: {sorted(stale)[:5]}"


# --- Templates ------------------------------------------------------------------------------

# Words a template may show as they are, in every language.
UNTRANSLATED_WORDS = {"TLP", "API", "ECHRI", "Exchange", "UTC", "SHA", "EC"}
# Blocks that fill in an attribute (a CSS class, the robots directive), not text.
ATTRIBUTE_BLOCKS = {"robots", "table_class", "byline_class"}
# The page of a server error is static, so that it cannot fail in turn: it says the
# same in each language, side by side (test_the_error_page_speaks_every_language).
STATIC_PAGES = {"500.html"}
# Attributes whose text people read or hear.
READ_ATTRIBUTES = re.compile(r"""\b(?:title|alt|placeholder|aria-label)="([^"]*)""")
TAG = re.compile(r"<[^>]*>", re.S)
ENTITY = re.compile(r"&[#\w]+;")
WORD = re.compile(r"[A-Za-z]{2,}")


HIDING = {"blocktranslate", "blocktrans", "comment", "verbatim"}


def literal_words(source: str) -> list[str]:
    """The words of ``source`` (a template) that no translation tag covers."""
    # The template with every tag and variable reduced to a mark, and what translation
    # tags (and attribute blocks) hold left out: what remains can be read as HTML.
    kept: list[str] = []
    hidden: list[str] = []  # the end tags awaited by the open constructs that hide text
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            words = token.contents.split() or [""]
            if hidden and words[0] == hidden[-1]:
                hidden.pop()
            elif words[0] in HIDING:
                hidden.append(f"end{words[0]}")
            elif words[0] == "block" and len(words) > 1 and words[1] in ATTRIBUTE_BLOCKS:
                hidden.append("endblock")
            kept.append("§")
        elif token.token_type == TokenType.VAR:
            kept.append("§")
        elif token.token_type == TokenType.TEXT and not hidden:
            kept.append(token.contents)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", "".join(kept), flags=re.S)
    read = " ".join(READ_ATTRIBUTES.findall(html))
    visible = ENTITY.sub(" ", TAG.sub(" ", html))
    return [w for w in WORD.findall(f"{visible} {read}") if w not in UNTRANSLATED_WORDS]


def test_templates_hold_no_words_outside_translation_tags():
    templates = sorted((ROOT / "templates").rglob("*.html")) + sorted(
        (ROOT / "templates").rglob("*.txt")
    )
    assert len(templates) > 50
    found = {}
    for path in templates:
        if path.name in STATIC_PAGES:
            continue
        words = literal_words(path.read_text())
        if words:
            found[str(path.relative_to(ROOT))] = words[:8]
    assert not found, found


def test_templates_name_states_in_the_readers_language():
    # {{ state }} is State.local_name; {{ state.name }} would stay in English.
    found = {
        str(path.relative_to(ROOT)): hits
        for path in sorted((ROOT / "templates").rglob("*.*"))
        if (hits := re.findall(r"\b\w*state\.name\b", path.read_text()))
    }
    assert not found, found


def test_the_error_page_speaks_every_language():
    page = (ROOT / "templates" / "500.html").read_text()
    assert '<html lang="en">' in page
    for code in LANGUAGES:
        assert f'<div lang="{code}">' in page


def test_the_template_check_sees_words_left_in_english():
    assert literal_words('<p>{% translate "Saved" %}</p>') == []
    assert literal_words("<p>{% blocktranslate %}Hello {{ x }}{% endblocktranslate %}</p>") == []
    assert literal_words('<button aria-label="Close">&times;</button>') == ["Close"]
    assert literal_words("<h1>Members</h1>") == ["Members"]
    assert literal_words('<a href="{% url "x" %}">Back</a>') == ["Back"]
    assert literal_words("{% block robots %}index{% endblock %}<p>Left</p>") == ["Left"]
    assert literal_words("{% comment %}Notes{% endcomment %}") == []


# --- Pages ----------------------------------------------------------------------------------


class _Text(HTMLParser):
    """The text of a page as people read or hear it: its text nodes and the attributes
    that are read out, each with its whitespace folded."""

    def __init__(self):
        super().__init__()
        self.pieces, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("title", "alt", "placeholder", "aria-label") and value:
                self.pieces.append(" ".join(value.split()))

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.pieces.append(" ".join(data.split()))


def read_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.pieces


class EnglishLeft:
    """Tells whether a piece of page text is an English sentence of the catalogue whose
    ``language`` translation differs from it (its placeholders matching anything)."""

    def __init__(self, language: str):
        self.patterns: list[re.Pattern] = []
        for entry in entries(language):
            if entry.msgid_plural:
                pairs = [(entry.msgid, entry.msgstr_plural.get(0)), (entry.msgid_plural, None)]
            else:
                pairs = [(entry.msgid, entry.msgstr)]
            for english, translated in pairs:
                english = " ".join(english.split())
                if english == translated or "<" in english or len(english) < 4:
                    continue  # the same in both, HTML split over nodes, or too short to tell
                # split() also returns the names the placeholders capture: every other item.
                texts = PLACEHOLDER.split(english.replace("%%", "%"))[::2]
                if WORD.search("".join(texts)):
                    pattern = "(.+?)".join(re.escape(text) for text in texts)
                    self.patterns.append(re.compile(pattern))
        self.any = re.compile("|".join(f"(?:{p.pattern})" for p in self.patterns))

    def __call__(self, piece: str) -> bool:
        if not self.any.fullmatch(piece):
            return False
        # What fills a placeholder is a name, a number, a date: a sentence of someone's
        # that happens to contain " asks about " is not "%(state)s asks about %(ref)s"
        # left in English.
        for pattern in self.patterns:
            match = pattern.fullmatch(piece)
            if match and all(len(value) <= 50 for value in match.groups()):
                return True
        return False


@pytest.fixture
def demo(seeded_states):
    call_command("seed_demo", verbosity=0, force=True)


# Pages that are no place for the walk: files, feeds and the API answer data, not prose.
SKIP_MORE = re.compile(rf"{SKIP.pattern}|^/(api/|attachments/|media/)|.*/download/")


@pytest.mark.slow
@pytest.mark.parametrize("username", ["cr-admin", "cr-viewer"])
def test_every_page_a_costa_rican_reaches_is_in_spanish(demo, username):
    from accounts.models import State, User

    user = User.objects.get(username=username)
    assert user.language == "" and user.preferred_language == "es"
    client = Client(HTTP_ACCEPT_LANGUAGE="en")  # the state's default wins over the browser
    client.force_login(user)
    english = EnglishLeft("es")
    with translation.override("es"):
        only_english = {s.name for s in State.objects.all() if s.name != s.local_name}
    # The time-zone list keeps its identifiers, some of which are countries ("Japan").
    only_english -= zoneinfo.available_timezones()
    assert {"Denmark", "Norway", "Republic of Korea"} <= only_english
    pages, left, english_names, spanish_names = 0, {}, set(), 0
    for path, response, text in walk(client, ["/"], max_pages=250, skip=SKIP_MORE):
        assert response.status_code < 500, path
        if "html" not in response.get("Content-Type", "") or response.status_code >= 300:
            continue
        pages += 1
        assert response["Content-Language"] == "es", path
        read = read_text(text)
        found = sorted({piece for piece in read if english(piece)})
        if found:
            left[path] = found[:5]
        # States are named in Spanish too: no piece of text is a state's English name
        # (sentences people wrote, such as the demo's English summaries, may name them).
        if set(read) & only_english:
            english_names.add(path)
        spanish_names += any("Dinamarca" in piece or "Noruega" in piece for piece in read)
    print(f"{username}: {pages} pages in Spanish")
    assert pages > 30, pages  # the walk went through the portal, not one page
    assert not left, left
    assert spanish_names and not english_names, sorted(english_names)[:5]


def test_the_page_check_tells_catalogue_english_from_other_text():
    english = EnglishLeft("es")
    assert english("Most endorsed")
    assert english("Acknowledged for Norway: Assessed.")
    assert english("Users of Costa Rica")
    assert not english("Más respaldadas")
    assert not english("ECHRI Exchange")
    assert not english(
        "Which biometric systems Canada reviews, and the questions it asks about deployment."
    )


# --- E-mails --------------------------------------------------------------------------------


def test_every_e_mail_a_costa_rican_receives_is_in_spanish(
    cr_viewer,
    cr_officer,
    cr_admin,
    dk_officer,
    fi_officer,
    staff_user,
    django_capture_on_commit_callbacks,
):
    """Notices and denials at once, a consultation asked of Costa Rica, a daily digest,
    acts of platform staff (an invitation among them, sent while English is active) and
    a password reset: each e-mail to a Costa Rican (who has no language of their own),
    and the invitation to someone joining Costa Rica, is in Spanish, subject, text and
    HTML, with Spanish dates."""
    from django.core import mail

    from accounts import services as accounts
    from sharing.denials import services as denials
    from sharing.notices import services as notices
    from sharing.notifications import delivery
    from sharing.notifications import services as notifications
    from tests.sharing.conftest import consultation_content, denial_content, notice_content

    zone = datetime.timezone(datetime.timedelta(hours=-6))  # Costa Rica, all year
    cr_viewer.time_zone = "America/Costa_Rica"
    cr_viewer.save()
    with django_capture_on_commit_callbacks(execute=True):
        notices.publish(notices.create(by=dk_officer, **notice_content(tlp="green")), by=dk_officer)
        denials.publish(by=dk_officer, **denial_content(decided_on="2026-11-02"))
        own = denials.publish(by=cr_officer, **denial_content(national_reference="CR-1"))
        denials.open_consultation(own, by=fi_officer, **consultation_content())
        notifications.set_email_preference(by=cr_viewer, mode="daily")
        notices.publish(
            notices.create(by=dk_officer, **notice_content(title="For the digest")), by=dk_officer
        )
        accounts.set_active(cr_viewer, active=False, by=staff_user)
        accounts.set_active(cr_viewer, active=True, by=staff_user)
        accounts.invite_user(
            email="nueva@mrree.example", role="officer", by=staff_user, state=cr_viewer.state
        )
    with django_capture_on_commit_callbacks(execute=True):
        delivery.send_digests(datetime.datetime.now(zone).replace(hour=7, minute=5))
    with django_capture_on_commit_callbacks(execute=True):
        Client(HTTP_ACCEPT_LANGUAGE="en").post(
            "/accounts/password/reset/", {"email": cr_viewer.email}
        )

    english = EnglishLeft("es")
    costa_ricans = {cr_viewer.email, cr_officer.email, cr_admin.email, "nueva@mrree.example"}
    to_costa_rica = [m for m in mail.outbox if set(m.to) & costa_ricans]
    assert len(to_costa_rica) >= 10, [m.subject for m in mail.outbox]
    # The invitation itself, and Costa Rica's admin told of it with the role's name.
    assert [m for m in to_costa_rica if m.to == ["nueva@mrree.example"]]
    told = [m for m in to_costa_rica if m.to == [cr_admin.email] and "nueva@" in m.body]
    assert told and "Funcionario" in told[0].body, [m.body for m in told]
    left = {}
    for message in to_costa_rica:
        html = message.alternatives[0][0] if message.alternatives else ""
        pieces = [message.subject, *message.body.splitlines(), *read_text(html)]
        found = sorted({" ".join(p.split()) for p in pieces if english(" ".join(p.split()))})
        if found:
            left[message.subject] = found
    assert not left, left
    assert any("2 nov 2026" in m.body for m in to_costa_rica)
