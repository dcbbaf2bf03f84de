import pytest

from jaarverslag.data.frequency import Frequency, is_frequency, parse_frequency


@pytest.mark.parametrize("text, times, per", [
    ("wekelijks", 1, "week"), ("Wekelijks", 1, "week"), (" dagelijks ", 1, "dag"),
    ("maandelijks", 1, "maand"), ("2x per maand", 2, "maand"), ("2x per mnd", 2, "maand"),
    ("2x per week", 2, "week"), ("3 x per jaar", 3, "jaar"),
])
def test_frequency_words_are_understood(text, times, per):
    assert parse_frequency(text) == Frequency(times, per)


def test_frequency_knows_its_yearly_rate_and_name():
    assert parse_frequency("wekelijks").per_year == 52
    assert parse_frequency("2x per maand").per_year == 24
    assert str(parse_frequency("Wekelijks")) == "wekelijks"
    assert str(parse_frequency("2x per mnd")) == "2x per maand"


@pytest.mark.parametrize("text", ["soms", "", "12", "0x per week", "wekelijk"])
def test_anything_else_is_refused_with_the_words_that_work(text):
    assert not is_frequency(text)
    with pytest.raises(ValueError, match="wekelijks"):
        parse_frequency(text)
