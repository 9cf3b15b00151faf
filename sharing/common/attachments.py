"""Content checks for files that officials attach to notices.

A file's type is decided by what its bytes are, never by the extension in its name or the
Content-Type the browser sent: both are chosen by whoever uploads, so an executable named
``report.pdf`` would otherwise reach readers' machines labelled as a PDF. The detected type
(not the claimed one) is what downloads are later served as, so every attachment leaves the
portal as exactly what it is, in one of the few formats readers can open safely.

Nothing here touches models or storage: ``inspect_upload`` only reads the file and either
returns what it found or raises ``ValidationError`` with a message meant for the uploader.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PDF = ("application/pdf", ".pdf")
PNG = ("image/png", ".png")
JPEG = ("image/jpeg", ".jpg")
DOCX = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx")
XLSX = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx")
PPTX = ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx")
ODT = ("application/vnd.oasis.opendocument.text", ".odt")
ODS = ("application/vnd.oasis.opendocument.spreadsheet", ".ods")
TEXT = ("text/plain", ".txt")
CSV = ("text/csv", ".csv")
MARKDOWN = ("text/markdown", ".md")

#: Every content type an attachment can have, with the extension it is served under.
ALLOWED_TYPES: dict[str, str] = dict(
    [PDF, PNG, JPEG, DOCX, XLSX, PPTX, ODT, ODS, TEXT, CSV, MARKDOWN]
)

# Archives may unpack to at most this many times the upload limit; beyond that, or past
# the ratio, they are built to exhaust whatever later unpacks them (indexers, previewers,
# the reader's office suite) rather than to carry a document.
ARCHIVE_EXPANSION_FACTOR = 10
ARCHIVE_MAX_RATIO = 200
ARCHIVE_MAX_MEMBERS = 2000

FILENAME_MAX_LENGTH = 150
_FALLBACK_FILENAME = "attachment"

_ALLOWED_SUMMARY = _(
    "PDF, PNG, JPEG, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), OpenDocument text "
    "(.odt) and spreadsheet (.ods), and UTF-8 plain text (.txt, .csv, .md)"
)
_EMPTY = _("“%(name)s” is empty; attach a file that has content.")
_TOO_LARGE = _("“%(name)s” is larger than %(limit)s, the most an attachment may be.")
_UNSUPPORTED = _("“%(name)s” is not a type of file that can be attached. Accepted: %(allowed)s.")
_PROGRAM = _(
    "“%(name)s” is a program or script, and those cannot be attached. Accepted: %(allowed)s."
)
_MARKUP = _(
    "“%(name)s” contains web page markup. HTML, SVG and XML files are not accepted. "
    "Accepted: %(allowed)s."
)
_ARCHIVE = _(
    "“%(name)s” is an archive, not a Word, Excel, PowerPoint or OpenDocument file. "
    "Archives are not accepted. Accepted: %(allowed)s."
)
_DAMAGED = _(
    "“%(name)s” looks like an office document but is damaged. Save it again from the "
    "application that made it and attach it again. Accepted: %(allowed)s."
)
_MACROS = _(
    "“%(name)s” contains macros, and documents with macros are not accepted. Save it "
    "without macros (as .docx, .xlsx, .pptx, .odt or .ods) and attach it again."
)
_UNPACKS_TOO_LARGE = _(
    "“%(name)s” unpacks to more than %(limit)s; documents may unpack to at most that."
)
_OVERCOMPRESSED = _(
    "“%(name)s” contains a part compressed more than %(ratio)s times, far beyond any real "
    "document, so it cannot be checked safely. Save it again from the application that "
    "made it and attach it again."
)
_TOO_MANY_PARTS = _(
    "“%(name)s” has more than %(count)s parts; documents may have at most that many."
)

_EXECUTABLE_SIGNATURES = (
    b"MZ",  # Windows PE and DOS programs
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",  # Mach-O, both word sizes and byte orders
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal binaries (and Java classes)
    b"#!",  # scripts that run when marked executable
)
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ZIP_SIGNATURE = b"PK\x03\x04"
_HEAD_LENGTH = 16

# Byte-level is safe for UTF-8: bytes below 0x20 never occur inside multi-byte sequences.
_FORBIDDEN_CONTROLS = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")
_MARKUP_MARKERS = ("<html", "<script", "<svg", "<!doctype", "<?xml", "<body", "<iframe")
_MARKER_OVERLAP = max(len(m) for m in _MARKUP_MARKERS) - 1
_LEADING_BLANKS = re.compile(r"[\s\ufeff]*")

_OOXML_MAIN_PARTS = {
    "word/document.xml": DOCX,
    "xl/workbook.xml": XLSX,
    "ppt/presentation.xml": PPTX,
}
_ODF_MIMETYPES = {kind[0].encode(): kind for kind in (ODT, ODS)}
# Only as much of [Content_Types].xml is read as any real document needs.
_CONTENT_TYPES_READ_LIMIT = 1024 * 1024

# Characters Windows, macOS or common Linux file systems refuse in a name.
_INVALID_FILENAME_CHARACTERS = re.compile(r'[<>:"/\\|?*]')
_WINDOWS_RESERVED_NAMES = {"CON", "PRN", "AUX", "NUL"} | {
    f"{device}{n}" for device in ("COM", "LPT") for n in range(1, 10)
}
# Joiners are invisible but needed to spell Persian, Indic and emoji names correctly, and
# unlike bidirectional overrides they cannot make "exe.pdf" display as something else.
_KEPT_FORMAT_CHARACTERS = {"\u200c", "\u200d"}
_MAX_EXTENSION_LENGTH = 16


@dataclass(frozen=True)
class UploadInfo:
    """What ``inspect_upload`` found in an accepted file: its type decided by content, the
    extension it is served under, its size in bytes, the hex SHA-256 of its bytes, and the
    sanitised name the uploader gave it."""

    content_type: str
    extension: str
    size: int
    sha256: str
    filename: str


def inspect_upload(uploaded_file: UploadedFile, *, max_bytes: int) -> UploadInfo:
    """Decide what ``uploaded_file`` is by its bytes and return it, or raise
    ``ValidationError`` naming the file and saying what is accepted.

    Reads the file once in chunks (so it never holds a large file in memory), counting
    bytes itself rather than trusting ``.size``; ZIP-based documents are then re-read
    through their central directory. The file is left at position 0 either way.
    """
    if max_bytes <= 0:
        raise ValueError("max_bytes must be positive")
    filename = sanitize_filename(uploaded_file.name or "")
    try:
        size, sha256, head, text = _read(uploaded_file, filename=filename, max_bytes=max_bytes)
        content_type, extension = _detect(
            uploaded_file, head, text, filename=filename, max_bytes=max_bytes
        )
    finally:
        uploaded_file.seek(0)
    return UploadInfo(
        content_type=content_type,
        extension=extension,
        size=size,
        sha256=sha256,
        filename=filename,
    )


def sanitize_filename(name: str) -> str:
    """Return ``name`` made safe to show and to offer in a download: its last path
    component only (``/`` or ``\\``), NFC-normalised, without control, invisible or
    file-system-invalid characters, whitespace collapsed, no leading dots, no trailing
    dots or spaces, at most 150 characters with the extension kept. Never empty: returns
    ``"attachment"`` when nothing usable is left."""
    name = unicodedata.normalize("NFC", re.split(r"[\\/]", name)[-1])
    name = "".join(
        c
        for c in name
        if not unicodedata.category(c).startswith("C") or c in _KEPT_FORMAT_CHARACTERS
    )
    name = " ".join(_INVALID_FILENAME_CHARACTERS.sub("", name).split())
    name = name.lstrip(". ").rstrip(". ")
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) >= _MAX_EXTENSION_LENGTH or " " in extension:
        stem, extension = name, ""
    else:
        extension = dot + extension
    if stem.split(".")[0].upper() in _WINDOWS_RESERVED_NAMES:
        stem = f"_{stem}"
    stem = stem[: FILENAME_MAX_LENGTH - len(extension)].rstrip(". ")
    return stem + extension if stem else _FALLBACK_FILENAME


class _TextScanner:
    """Follows a file chunk by chunk and records whether it is acceptable text (UTF-8,
    no control characters beyond tab, CR, LF and form feed) and whether, starting with
    ``<``, it contains markup a browser might render."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self.is_text = True
        self.looks_like_markup = False
        self._first_character: str | None = None
        self._tail = ""

    def feed(self, data: bytes, *, final: bool = False) -> None:
        if not self.is_text:
            return
        if _FORBIDDEN_CONTROLS.search(data):
            self.is_text = False
            return
        try:
            text = self._decoder.decode(data, final)
        except UnicodeDecodeError:
            self.is_text = False
            return
        if self._first_character is None:
            text = text[_LEADING_BLANKS.match(text).end() :]
            if not text:
                return
            self._first_character = text[0]
        if self._first_character == "<" and not self.looks_like_markup:
            # The overlap catches a marker split across two chunks.
            window = self._tail + text.lower()
            self.looks_like_markup = any(marker in window for marker in _MARKUP_MARKERS)
            self._tail = window[-_MARKER_OVERLAP:]


def _refuse(message: Promise, code: str, **params) -> ValidationError:
    return ValidationError(message, code=code, params={"allowed": _ALLOWED_SUMMARY, **params})


def _read(
    uploaded_file: UploadedFile, *, filename: str, max_bytes: int
) -> tuple[int, str, bytes, _TextScanner]:
    """Stream the file once: its size, SHA-256, first bytes and text verdict. Refuses an
    empty file or one past ``max_bytes`` (stopping as soon as the limit is passed)."""
    too_large = _refuse(_TOO_LARGE, "too_large", name=filename, limit=filesizeformat(max_bytes))
    if uploaded_file.size is not None and uploaded_file.size > max_bytes:
        raise too_large
    digest = hashlib.sha256()
    text = _TextScanner()
    head = b""
    size = 0
    for chunk in uploaded_file.chunks():
        size += len(chunk)
        if size > max_bytes:
            raise too_large
        digest.update(chunk)
        text.feed(chunk)
        if len(head) < _HEAD_LENGTH:
            head += chunk[: _HEAD_LENGTH - len(head)]
    if size == 0:
        raise _refuse(_EMPTY, "empty", name=filename)
    text.feed(b"", final=True)
    return size, digest.hexdigest(), head, text


def _detect(
    uploaded_file: UploadedFile,
    head: bytes,
    text: _TextScanner,
    *,
    filename: str,
    max_bytes: int,
) -> tuple[str, str]:
    if head.startswith(_EXECUTABLE_SIGNATURES):
        raise _refuse(_PROGRAM, "program", name=filename)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(_PNG_SIGNATURE):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(_ZIP_SIGNATURE):
        return _detect_zip(uploaded_file, filename=filename, max_bytes=max_bytes)
    if text.is_text:
        if text.looks_like_markup:
            raise _refuse(_MARKUP, "markup", name=filename)
        lowered = filename.lower()
        if lowered.endswith(".csv"):
            return CSV
        if lowered.endswith(".md"):
            return MARKDOWN
        return TEXT
    raise _refuse(_UNSUPPORTED, "unsupported", name=filename)


def _detect_zip(uploaded_file: UploadedFile, *, filename: str, max_bytes: int) -> tuple[str, str]:
    """Accept a ZIP only as an OpenDocument or Office Open XML document without macros,
    after checking from the central directory that it is not built to exhaust whatever
    unpacks it. Only the few bytes that identify the document are ever decompressed."""
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            members = archive.infolist()
            _check_archive_limits(members, filename=filename, max_bytes=max_bytes)
            names = {member.filename.lower() for member in members}
            if members[0].filename == "mimetype":
                return _detect_odf(archive, members[0], names, filename=filename)
            return _detect_ooxml(archive, names, filename=filename)
    except (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError) as error:
        # NotImplementedError and RuntimeError: unsupported compression or encryption.
        raise _refuse(_DAMAGED, "damaged", name=filename) from error


def _check_archive_limits(members: list[zipfile.ZipInfo], *, filename: str, max_bytes: int) -> None:
    # Declared sizes are all that can be checked without unpacking; Python's reader never
    # inflates a member past its declared size, so they also bound what is read here.
    if not members:
        raise _refuse(_ARCHIVE, "archive", name=filename)
    if len(members) > ARCHIVE_MAX_MEMBERS:
        raise _refuse(_TOO_MANY_PARTS, "too_many_parts", name=filename, count=ARCHIVE_MAX_MEMBERS)
    unpacked_limit = ARCHIVE_EXPANSION_FACTOR * max_bytes
    if sum(member.file_size for member in members) > unpacked_limit:
        raise _refuse(
            _UNPACKS_TOO_LARGE,
            "unpacks_too_large",
            name=filename,
            limit=filesizeformat(unpacked_limit),
        )
    for member in members:
        if member.file_size > ARCHIVE_MAX_RATIO * max(member.compress_size, 1):
            raise _refuse(_OVERCOMPRESSED, "overcompressed", name=filename, ratio=ARCHIVE_MAX_RATIO)


def _detect_odf(
    archive: zipfile.ZipFile, mimetype: zipfile.ZipInfo, names: set[str], *, filename: str
) -> tuple[str, str]:
    longest = max(len(m) for m in _ODF_MIMETYPES)
    if mimetype.compress_type != zipfile.ZIP_STORED or mimetype.file_size > longest:
        raise _refuse(_ARCHIVE, "archive", name=filename)
    kind = _ODF_MIMETYPES.get(archive.read(mimetype))
    if kind is None:
        raise _refuse(_ARCHIVE, "archive", name=filename)
    # Documents carry their macros (LibreOffice Basic, other scripts) in these folders.
    if any(name.startswith(("basic/", "scripts/")) for name in names):
        raise _refuse(_MACROS, "macros", name=filename)
    return kind


def _detect_ooxml(archive: zipfile.ZipFile, names: set[str], *, filename: str) -> tuple[str, str]:
    kinds = [kind for part, kind in _OOXML_MAIN_PARTS.items() if part in names]
    if "[content_types].xml" not in names or len(kinds) != 1:
        raise _refuse(_ARCHIVE, "archive", name=filename)
    if any(name.rsplit("/", 1)[-1] == "vbaproject.bin" for name in names):
        raise _refuse(_MACROS, "macros", name=filename)
    # A macro-enabled main part (.docm and friends) makes Office look for macros elsewhere.
    with archive.open(_member_named(archive, "[content_types].xml")) as content_types:
        declared = content_types.read(_CONTENT_TYPES_READ_LIMIT).lower()
    if b"macroenabled" in declared or b"vbaproject" in declared:
        raise _refuse(_MACROS, "macros", name=filename)
    return kinds[0]


def _member_named(archive: zipfile.ZipFile, lowered_name: str) -> zipfile.ZipInfo:
    return next(m for m in archive.infolist() if m.filename.lower() == lowered_name)
