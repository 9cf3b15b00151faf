"""Attachments are typed by their bytes: what the name or the browser claims never counts."""

import hashlib
import io
import struct
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile

from sharing.common.attachments import UploadInfo, inspect_upload, sanitize_filename

MAX_BYTES = 1024 * 1024

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT_TYPE = "application/vnd.oasis.opendocument.text"
ODS_TYPE = "application/vnd.oasis.opendocument.spreadsheet"

PDF_BYTES = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
GIF_BYTES = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00"
    b"!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
EXE_BYTES = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + b"This program cannot be run in DOS mode.\r\n$"
)
ELF_BYTES = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00"
MACHO_BYTES = b"\xcf\xfa\xed\xfe\x07\x00\x00\x01\x03\x00\x00\x00" + b"\x00" * 16


def png_1x1() -> bytes:
    """A real 1x1 opaque white PNG, chunk CRCs and all."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def build_zip(members: dict[str, bytes], *, stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(members.items()):
            compression = zipfile.ZIP_STORED if stored_first and index == 0 else None
            archive.writestr(name, data, compress_type=compression)
    return buffer.getvalue()


def ooxml(main_part: str, main_type: str, **extra: bytes) -> bytes:
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{main_type}"/></Types>'
    ).encode()
    return build_zip(
        {
            "[Content_Types].xml": content_types,
            "_rels/.rels": b'<?xml version="1.0"?><Relationships/>',
            main_part: b'<?xml version="1.0"?><root>Nordic export notice</root>',
            **extra,
        }
    )


DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCX_BYTES = ooxml("word/document.xml", DOCX_MAIN)
XLSX_BYTES = ooxml(
    "xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
)
PPTX_BYTES = ooxml(
    "ppt/presentation.xml",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
)


def odf(mimetype: bytes, *, stored: bool = True, **extra: bytes) -> bytes:
    return build_zip(
        {
            "mimetype": mimetype,
            "content.xml": b'<?xml version="1.0"?><office:document-content/>',
            "META-INF/manifest.xml": b'<?xml version="1.0"?><manifest:manifest/>',
            **extra,
        },
        stored_first=stored,
    )


def upload(content: bytes, name: str, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def streamed(content: bytes, name: str) -> UploadedFile:
    """An upload read in real 64 KiB chunks, as files spooled to disk are."""
    return UploadedFile(io.BytesIO(content), name=name, size=len(content))


def refusal(uploaded, *, max_bytes: int = MAX_BYTES) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        inspect_upload(uploaded, max_bytes=max_bytes)
    return caught.value


def assert_refused(uploaded, code: str, *fragments: str, max_bytes: int = MAX_BYTES) -> str:
    error = refusal(uploaded, max_bytes=max_bytes)
    (message,) = error.messages
    assert error.code == code, message
    assert f"“{uploaded.name}”" in message
    for fragment in fragments:
        assert fragment in message
    return message


# Accepted kinds


@pytest.mark.parametrize(
    ("content", "name", "content_type", "extension"),
    [
        (PDF_BYTES, "notice.pdf", "application/pdf", ".pdf"),
        (png_1x1(), "map.png", "image/png", ".png"),
        (JPEG_BYTES, "photo.jpeg", "image/jpeg", ".jpg"),
        (DOCX_BYTES, "brief.docx", DOCX_TYPE, ".docx"),
        (XLSX_BYTES, "exports.xlsx", XLSX_TYPE, ".xlsx"),
        (PPTX_BYTES, "slides.pptx", PPTX_TYPE, ".pptx"),
        (odf(ODT_TYPE.encode()), "brief.odt", ODT_TYPE, ".odt"),
        (odf(ODS_TYPE.encode()), "exports.ods", ODS_TYPE, ".ods"),
    ],
)
def test_accepted_kind_is_detected_with_size_and_hash(content, name, content_type, extension):
    info = inspect_upload(upload(content, name), max_bytes=MAX_BYTES)

    assert info == UploadInfo(
        content_type=content_type,
        extension=extension,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        filename=name,
    )


def test_multilingual_utf8_text_is_plain_text():
    content = "Société générale — Ærø, Łódź\n輸出管理の通知\n수출 통제 공지\n".encode()

    info = inspect_upload(upload(content, "notes.txt"), max_bytes=MAX_BYTES)

    assert (info.content_type, info.extension) == ("text/plain", ".txt")
    assert info.size == len(content)
    assert info.sha256 == hashlib.sha256(content).hexdigest()


def test_text_with_bom_tabs_and_form_feeds_is_plain_text():
    content = b"\xef\xbb\xbfcolumn\tvalue\r\n\x0cnext page\n"

    info = inspect_upload(upload(content, "log"), max_bytes=MAX_BYTES)

    assert (info.content_type, info.extension) == ("text/plain", ".txt")


@pytest.mark.parametrize(
    ("name", "content", "content_type", "extension"),
    [
        ("exports.csv", "état;quantité\nDanmark;3\n日本;5\n".encode(), "text/csv", ".csv"),
        ("EXPORTS.CSV", b"a,b\n1,2\n", "text/csv", ".csv"),
        ("readme.md", "# Notice\n\n*Für* alle.\n".encode(), "text/markdown", ".md"),
    ],
)
def test_text_subtype_follows_the_sanitised_name(name, content, content_type, extension):
    info = inspect_upload(upload(content, name), max_bytes=MAX_BYTES)

    assert (info.content_type, info.extension, info.size) == (content_type, extension, len(content))


def test_text_starting_with_angle_bracket_but_no_markup_is_accepted():
    info = inspect_upload(upload(b"<3 thanks for the notice\n", "reply.txt"), max_bytes=MAX_BYTES)

    assert info.content_type == "text/plain"


def test_pdf_named_docx_is_served_as_pdf():
    info = inspect_upload(upload(PDF_BYTES, "report.docx", DOCX_TYPE), max_bytes=MAX_BYTES)

    assert (info.content_type, info.extension) == ("application/pdf", ".pdf")
    assert info.filename == "report.docx"


def test_browser_content_type_is_ignored():
    info = inspect_upload(upload(b"plain words\n", "a.txt", "application/pdf"), max_bytes=MAX_BYTES)

    assert info.content_type == "text/plain"


def test_file_of_exactly_max_bytes_is_accepted():
    content = b"x" * 100

    assert inspect_upload(upload(content, "a.txt"), max_bytes=100).size == 100


def test_file_is_at_position_zero_after_acceptance():
    uploaded = upload(DOCX_BYTES, "brief.docx")
    uploaded.read(10)

    inspect_upload(uploaded, max_bytes=MAX_BYTES)

    assert uploaded.tell() == 0
    assert uploaded.read() == DOCX_BYTES


def test_file_is_at_position_zero_after_refusal():
    uploaded = upload(GIF_BYTES, "anim.gif")

    refusal(uploaded)

    assert uploaded.tell() == 0


def test_streamed_file_hash_covers_every_chunk():
    content = ("Rapport de contrôle. 輸出 " * 10_000).encode()
    assert len(content) > 3 * File.DEFAULT_CHUNK_SIZE

    info = inspect_upload(streamed(content, "long.txt"), max_bytes=MAX_BYTES)

    assert info.size == len(content)
    assert info.sha256 == hashlib.sha256(content).hexdigest()


def test_multibyte_character_split_across_chunks_is_still_text():
    content = b"a" * (File.DEFAULT_CHUNK_SIZE - 1) + "日本".encode()

    info = inspect_upload(streamed(content, "split.txt"), max_bytes=MAX_BYTES)

    assert info.content_type == "text/plain"


# Refusals


def test_empty_file_is_refused():
    assert_refused(upload(b"", "empty.pdf"), "empty", "is empty")


def test_file_over_max_bytes_is_refused():
    assert_refused(upload(b"x" * 101, "big.txt"), "too_large", "larger than", max_bytes=100)


def test_size_is_counted_not_taken_from_the_upload():
    lying = UploadedFile(io.BytesIO(b"x" * 101), name="big.txt", size=10)

    assert_refused(lying, "too_large", max_bytes=100)


def test_non_positive_limit_is_a_programming_error():
    with pytest.raises(ValueError, match="max_bytes"):
        inspect_upload(upload(b"x", "a.txt"), max_bytes=0)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (EXE_BYTES, "invoice.pdf"),
        (ELF_BYTES, "tool"),
        (MACHO_BYTES, "app.png"),
        (b"#!/bin/sh\nrm -rf ~\n", "cleanup.txt"),
    ],
)
def test_programs_and_scripts_are_refused(content, name):
    assert_refused(upload(content, name, "application/pdf"), "program", "program or script", "PDF")


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<!DOCTYPE html><html><body>Click</body></html>", "page.txt"),
        (b"\xef\xbb\xbf \n\t<HTML><SCRIPT>alert(1)</SCRIPT></HTML>", "bom.txt"),
        (b"<p>hello</p><iframe src='https://example.org'></iframe>", "frag.md"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>', "logo.svg"),
        (b'<?xml version="1.0"?><notice><title>x</title></notice>', "data.xml"),
    ],
)
def test_markup_is_refused(content, name):
    assert_refused(upload(content, name, "text/plain"), "markup", "HTML, SVG and XML", "PDF")


def test_markup_marker_split_across_chunks_is_refused():
    content = b"<p>" + b" " * (File.DEFAULT_CHUNK_SIZE - 6) + b"<script>alert(1)</script>"

    assert_refused(streamed(content, "padded.txt"), "markup")


def test_gif_is_refused_with_the_accepted_types():
    message = assert_refused(upload(GIF_BYTES, "anim.gif", "image/gif"), "unsupported")

    assert "PNG, JPEG" in message
    assert "UTF-8 plain text" in message


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"line one\x00line two\n", "zeros.txt"),
        (b"colour \x1b[31mred\x1b[0m\n", "ansi.txt"),
        ("café".encode("latin-1"), "latin1.txt"),
        (b"ends mid-character \xe6\x97", "truncated.txt"),
        ("notice".encode("utf-16"), "utf16.txt"),
    ],
)
def test_binary_or_non_utf8_text_is_refused(content, name):
    assert_refused(upload(content, name, "text/plain"), "unsupported", "UTF-8")


def test_plain_zip_is_refused():
    content = build_zip({"report.pdf": PDF_BYTES, "notes.txt": b"hello"})

    assert_refused(upload(content, "bundle.docx", DOCX_TYPE), "archive", "Archives are not")


def test_damaged_zip_is_refused():
    content = DOCX_BYTES[: len(DOCX_BYTES) // 2]

    assert_refused(upload(content, "cut.docx"), "damaged", "damaged")


def test_docx_with_vba_project_is_refused():
    content = ooxml("word/document.xml", DOCX_MAIN, **{"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"})

    assert_refused(upload(content, "macro.docx"), "macros", "macros")


def test_macro_enabled_main_part_is_refused_even_without_vba_project():
    main = "application/vnd.ms-word.document.macroEnabled.main+xml"
    content = ooxml("word/document.xml", main)

    assert_refused(upload(content, "renamed.docx"), "macros")


def test_odf_with_basic_macros_is_refused():
    content = odf(ODT_TYPE.encode(), **{"Basic/Standard/Module1.xml": b"<module/>"})

    assert_refused(upload(content, "macro.odt"), "macros")


@pytest.mark.parametrize(
    "content",
    [
        odf(ODT_TYPE.encode(), stored=False),
        odf(b"application/vnd.oasis.opendocument.graphics"),
    ],
    ids=["compressed-mimetype", "other-odf-kind"],
)
def test_odf_other_than_stored_text_or_spreadsheet_is_refused(content):
    assert_refused(upload(content, "drawing.odt"), "archive")


def test_zip_bomb_is_refused_without_unpacking():
    buffer = io.BytesIO()
    megabyte = bytes(1024 * 1024)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        with archive.open("word/document.xml", "w") as member:
            for _ in range(50):
                member.write(megabyte)
    content = buffer.getvalue()
    assert len(content) < MAX_BYTES

    assert_refused(upload(content, "bomb.docx"), "unpacks_too_large", "unpacks to more than")


def test_absurdly_compressed_member_is_refused():
    content = ooxml("word/document.xml", DOCX_MAIN, **{"word/media/blank.bin": bytes(1024 * 1024)})

    assert_refused(upload(content, "dense.docx"), "overcompressed", "200", max_bytes=10 * MAX_BYTES)


def test_archive_with_too_many_members_is_refused():
    parts = {f"word/part{index}.xml": b"" for index in range(2001)}
    content = ooxml("word/document.xml", DOCX_MAIN, **parts)

    assert_refused(upload(content, "many.docx"), "too_many_parts", "2000")


# File names

# "reports" in Persian: the zero-width non-joiner is part of the spelling and must stay.
PERSIAN_WITH_JOINER = "\u06af\u0632\u0627\u0631\u0634\u200c\u0647\u0627.txt"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\report.pdf", "report.pdf"),
        ("/var/tmp/notice.txt", "notice.txt"),
        ("re\x00po\x1frt\x7f.pdf", "report.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ('a<b>c:d"e|f?g*h.txt', "abcdefgh.txt"),
        ("  quarterly \t\n  report  .pdf", "quarterly report.pdf"),
        ("...hidden", "hidden"),
        (". . .env", "env"),
        ("report.pdf. . ", "report.pdf"),
        ("CON.txt", "_CON.txt"),
        ("Cafe\u0301.txt", "Café.txt"),
        (PERSIAN_WITH_JOINER, PERSIAN_WITH_JOINER),
        ("輸出管理.pdf", "輸出管理.pdf"),
    ],
)
def test_sanitize_filename(name, expected):
    assert sanitize_filename(name) == expected


@pytest.mark.parametrize("name", ["", "   ", "...", "/", "C:\\dir\\", "\x00\x01", "..\\.."])
def test_sanitize_filename_falls_back_when_nothing_is_left(name):
    assert sanitize_filename(name) == "attachment"


def test_long_name_is_cut_to_150_characters_keeping_the_extension():
    result = sanitize_filename("é" * 300 + ".xlsx")

    assert len(result) == 150
    assert result == "é" * 145 + ".xlsx"


def test_long_name_without_extension_is_cut_to_150_characters():
    assert sanitize_filename("n" * 400) == "n" * 150


def test_refusal_message_shows_the_sanitised_name():
    message = refusal(upload(GIF_BYTES, "a\u202egif.png")).messages[0]

    assert "“agif.png”" in message
    assert "\u202e" not in message


def test_declared_oversize_is_refused_before_reading():
    class Unreadable(io.BytesIO):
        def read(self, *args):
            raise AssertionError("an oversized upload must not be read")

    declared_large = UploadedFile(Unreadable(), name="huge.pdf", size=MAX_BYTES + 1)

    assert_refused(declared_large, "too_large")
