"""scripts/structure_score.py on a paper of our own: printed, ingested, scored."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts import structure_score
from tests.pdfs import needs_tesseract

# fictional text, written for this test
PAPER = """OMSORGSFÖRVALTNINGEN
Handläggare: Eva Strand
Omsorgsnämnden 2024-03-20
# Avtal om praktikplatser mellan kommunen och högskolan
## Sammanfattning
Nämnden föreslås godkänna ett avtal med högskolan om praktikplatser för studenter inom vård \
och omsorg. Avtalet gäller i tre år.
## Förslaget
Förslaget består av tre delar:
1. En gemensam avsikt om samarbete som gäller alla verksamheter i kommunen.
2. Ett lokalt avtal om hur många platser kommunen erbjuder varje termin.
3. En årlig uppföljning som nämnden får redovisad i december.
## Ekonomi
Högskolan betalar en ersättning till kommunen för varje student och vecka som studenten gör \
sin praktik där.
Kommunen står själv för kostnaden för de handledare som den utser bland sina anställda.
## Uppföljning
Nämnden får varje år en redovisning av hur många studenter som har gjort praktik i kommunen.
Redovisningen lämnas till nämnden i samband med verksamhetsberättelsen i februari.
Förvaltningen föreslår att nämnden godkänner avtalet och att avtalet börjar gälla den första juli.
"""


@pytest.mark.slow
@needs_tesseract
def test_paper_scores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every printed heading is a section, the list stays with its intro, no sentence mixes
    two blocks outside the two-column page, and the scanned page is read back."""
    source = tmp_path / "tjansteutlatande.txt"
    source.write_text(PAPER, "utf-8")
    assert structure_score.main(["--docs", str(source), "--keep", str(tmp_path / "pdf")]) == 0
    out = capsys.readouterr().out
    total = out.split("all documents:")[1]
    figures = dict(
        (line[:26].strip(), line[26:].split()[0]) for line in total.splitlines() if line.strip()
    )
    assert figures["headings recovered"] == "1.000"
    assert figures["lists kept with intro"] == "1.000"
    assert figures["mixed sentences"] == "0"
    assert float(figures["OCR character accuracy"]) >= 0.95
    assert (tmp_path / "pdf" / "tjansteutlatande.pdf").is_file()


def test_skips_with_the_reason_when_documents_are_absent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert structure_score.main(["--docs", str(tmp_path / "saknas.txt")]) == 0
    assert "skipped:" in capsys.readouterr().out
