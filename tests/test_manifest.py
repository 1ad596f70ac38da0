"""Reading the case manifest CSV and finding a file's row in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from frisat_qual.corpus.manifest import lookup, read_manifest
from frisat_qual.errors import ImportError_, ManifestError


def write(tmp_path: Path, content: str, encoding: str = "utf-8", name: str = "cases.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode(encoding))
    return path


def manifest_error(path: Path) -> str:
    with pytest.raises(ManifestError) as info:
        read_manifest(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(path.name)
    return message


def test_comma_separated_utf8_with_known_and_free_columns(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "file,rolle,kommune,omraade,case,interviewer,alder\n"
        "k1_politiker.docx,Politiker,Kommune 1,dagtilbud,K1,MH,54\n"
        "k2_leder.txt,leder,Kommune 2,Skole,,MH,\n",
    )
    assert read_manifest(path) == {
        "k1_politiker.docx": {
            "rolle": "politiker",
            "kommune": "Kommune 1",
            "omraade": "dagtilbud",
            "case": "K1",
            "interviewer": "MH",
            "alder": "54",
        },
        "k2_leder.txt": {
            "rolle": "leder",
            "kommune": "Kommune 2",
            "omraade": "skole",
            "interviewer": "MH",
        },
    }


def test_danish_excel_semicolon_windows_1252_with_danish_headers(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Filnavn;Rolle;Område;Sag;Bemærkning;;\r\n"
        "k3_borger.docx;borger;Ældre;K3;pårørende, datter;;\r\n"
        ";;;;;;\r\n"
        "k6_medarbejder.odt;MEDARBEJDER;aeldre;K6;;;\r\n",
        encoding="cp1252",
    )
    assert read_manifest(path) == {
        "k3_borger.docx": {
            "rolle": "borger",
            "omraade": "aeldre",
            "case": "K3",
            "Bemærkning": "pårørende, datter",
        },
        "k6_medarbejder.odt": {"rolle": "medarbejder", "omraade": "aeldre", "case": "K6"},
    }


@pytest.mark.parametrize("file_header", ["file", "fil", "filnavn", "filename", "source", "FILE"])
def test_file_column_aliases(tmp_path: Path, file_header: str) -> None:
    path = write(tmp_path, f"{file_header}\tcase_id\na.txt\tK9\n")
    assert read_manifest(path) == {"a.txt": {"case": "K9"}}


def test_utf8_bom_quotes_and_blank_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '\ufeff\n"file","kommune","note"\n\n"a b.txt","Kommune 4","sagde ""ja"", men"\n\n',
    )
    assert read_manifest(path) == {"a b.txt": {"kommune": "Kommune 4", "note": 'sagde "ja", men'}}


def test_missing_file_column(tmp_path: Path) -> None:
    message = manifest_error(write(tmp_path, "navn,rolle\na.txt,leder\n"))
    assert message.startswith("cases.csv line 1: no file column")
    assert "filnavn" in message


def test_missing_file_column_after_blank_lines_names_the_header_line(tmp_path: Path) -> None:
    assert manifest_error(write(tmp_path, "\n\nrolle\nleder\n")).startswith("cases.csv line 3:")


def test_empty_header(tmp_path: Path) -> None:
    message = manifest_error(write(tmp_path, "file;;rolle\na.txt;x;leder\n"))
    assert message == "cases.csv line 1: column 2 has no header"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("file,rolle,rolle", "duplicate column 'rolle'"),
        ("file,filnavn", "duplicate column 'filnavn' (same as 'file')"),
        ("file,omraade,område", "duplicate column 'område' (same as 'omraade')"),
        ("file,Note,note", "duplicate column 'note' (same as 'Note')"),
    ],
)
def test_duplicate_header(tmp_path: Path, header: str, expected: str) -> None:
    message = manifest_error(write(tmp_path, f"{header}\n"))
    assert message == f"cases.csv line 1: {expected}"


def test_row_with_more_fields_than_the_header(tmp_path: Path) -> None:
    path = write(tmp_path, "file,rolle\na.txt,leder\n\nb.txt,leder,ekstra\n")
    message = manifest_error(path)
    assert message == "cases.csv line 4: the row has 3 fields but the header has 2"


def test_empty_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, "file,rolle\na.txt,leder\n,borger\n")
    assert manifest_error(path) == "cases.csv line 3: the file name is empty"


def test_file_named_twice(tmp_path: Path) -> None:
    path = write(tmp_path, "file,rolle\na.txt,leder\nb.txt,leder\n\nA.TXT,borger\n")
    message = manifest_error(path)
    assert message == "cases.csv line 5: file 'A.TXT' is already listed on line 2"


def test_line_numbers_count_lines_inside_quoted_fields(tmp_path: Path) -> None:
    path = write(tmp_path, 'file,note\na.txt,"to\nlinjer"\nb.txt,ok\na.txt,igen\n')
    assert "line 5:" in manifest_error(path)


def test_unknown_rolle_lists_the_allowed_values(tmp_path: Path) -> None:
    path = write(tmp_path, "file;rolle\na.txt;leder\nb.txt;Borgmester\n")
    message = manifest_error(path)
    assert message == (
        "cases.csv line 3: rolle 'Borgmester' is not one of "
        "politiker, forvaltning, leder, medarbejder, borger"
    )


def test_unknown_omraade_lists_the_allowed_values(tmp_path: Path) -> None:
    path = write(tmp_path, "file,område\na.txt,skole\nb.txt,Sundhed\n")
    message = manifest_error(path)
    assert message.startswith(
        "cases.csv line 3: omraade 'Sundhed' is not one of dagtilbud, skole, aeldre"
    )


def test_empty_and_unreadable_manifest(tmp_path: Path) -> None:
    assert "empty" in manifest_error(write(tmp_path, "\n \n"))
    assert "cannot be read" in manifest_error(tmp_path / "mangler.csv")


def test_manifest_error_is_an_import_error(tmp_path: Path) -> None:
    with pytest.raises(ImportError_):
        read_manifest(write(tmp_path, "rolle\nleder\n"))


def test_binary_manifest(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_bytes(b"file\x00rolle\x00")
    assert "binary" in manifest_error(path)


MANIFEST = {
    "k1_politiker.docx": {"rolle": "politiker"},
    "K2_Leder.txt": {"rolle": "leder"},
    "k3_borger": {"rolle": "borger"},
    "dobbelt.txt": {"rolle": "leder"},
    "dobbelt.docx": {"rolle": "borger"},
}


@pytest.mark.parametrize(
    ("file_name", "role"),
    [
        ("k1_politiker.docx", "politiker"),
        ("K1_POLITIKER.DOCX", "politiker"),
        ("k2_leder.txt", "leder"),
        ("k2_leder.odt", "leder"),
        ("k3_borger.vtt", "borger"),
        ("interviews/k1_politiker.docx", "politiker"),
        ("dobbelt.docx", "borger"),
    ],
)
def test_lookup_by_exact_name_then_case_then_stem(file_name: str, role: str) -> None:
    row = lookup(MANIFEST, file_name)
    assert row is not None
    assert row["rolle"] == role


def test_lookup_without_a_match_or_with_several() -> None:
    assert lookup(MANIFEST, "k9_ukendt.txt") is None
    with pytest.raises(ManifestError, match="several manifest rows"):
        lookup(MANIFEST, "dobbelt.odt")
