"""The copy guard alone: which runs of words count as copied."""

from sharing.advisories.guard import copied_passages

SOURCE = (
    "The broker ships the interception suite through a free zone warehouse in Limassol "
    "before onward delivery to the buyer."
)


def test_twelve_consecutive_words_are_found_with_where_they_sit():
    text = "Note: the broker ships the interception suite through a free zone warehouse in "
    text += "Limassol. Thanks."
    (passage,) = copied_passages({"body": text}, [SOURCE])
    assert passage.field == "body"
    assert passage.words == 13
    assert passage.text == text[passage.start : passage.end]
    assert passage.text.startswith("the broker") and passage.text.endswith("Limassol")


def test_eleven_words_are_not_a_copy():
    text = "the broker ships the interception suite through a free zone warehouse"
    assert len(text.split()) == 11
    assert copied_passages({"summary": text}, [SOURCE]) == []


def test_case_punctuation_and_markdown_do_not_hide_a_copy():
    text = (
        "**THE BROKER** ships, the *interception* suite: through a free-zone warehouse in Limassol!"
    )
    (passage,) = copied_passages({"body": text}, [SOURCE])
    assert passage.words == 13


def test_overlapping_runs_make_one_passage_and_separate_runs_two():
    words = SOURCE.rstrip(".").split()
    first, second = " ".join(words[:12]), " ".join(words[4:18])
    overlapping = copied_passages({"body": " ".join(words)}, [SOURCE])
    assert len(overlapping) == 1 and overlapping[0].words == len(words)
    apart = copied_passages({"body": f"{first}. Something else entirely here. {second}"}, [SOURCE])
    assert [p.words for p in apart] == [12, 14]


def test_without_a_restricted_source_nothing_is_copied():
    assert copied_passages({"body": SOURCE}, []) == []


def test_markdown_emphasis_with_underscores_does_not_hide_a_copy():
    text = "__The broker__ ships _the interception suite_ through a free zone warehouse in Limassol"
    (passage,) = copied_passages({"body": text}, [SOURCE])
    assert passage.words == 13
