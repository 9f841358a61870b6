"""Character n-gram TF-IDF for the hybrid occupation ranking: pure functions, no I/O."""

from collections import Counter

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from app.matching.lexical import Lexicon, char_ngrams
from app.training.evaluate import lexical_target_scores


def similarity(a: dict[str, float], b: dict[str, float]) -> float:
    """Dot product of two sparse vectors: the oracle the dense paths are checked against."""
    return sum(v * b.get(g, 0.0) for g, v in a.items())


LABELS = ["software developer", "java developer", "nurse", "intensive care nurse", "lorry driver", "truck driver"]


@pytest.mark.parametrize("text", ["Sales Executive (m/f/d)", "  Jr.  Java-Dev ", "x", "IT", "Krankenpfleger/in"])
def test_ngrams_are_scikit_learns_char_wb(text):
    analyzer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)).build_analyzer()
    assert char_ngrams(text) == Counter(analyzer(text))


def test_vectors_are_unit_tfidf_and_match_scikit_learn_on_known_ngrams():
    lex = Lexicon.fit(LABELS)
    sk = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True).fit(LABELS)
    a, b = lex.vector("java developer"), sk.transform(["java developer"])
    assert sum(v * v for v in a.values()) == pytest.approx(1.0)
    assert similarity(a, lex.vector("java developer")) == pytest.approx(1.0)
    expected = dict(zip(sk.get_feature_names_out()[b.indices], b.data))
    assert a.keys() == expected.keys() and all(a[g] == pytest.approx(v) for g, v in expected.items())


def test_unseen_ngrams_weigh_most_and_empty_texts_are_empty():
    lex = Lexicon.fit(LABELS)
    assert lex.idf("zq") > lex.idf("nu") > lex.idf(" d")  # " d": in every "developer"/"driver" label
    assert lex.vector("") == {} and lex.vector("!!! ...") != {}


def test_best_takes_each_groups_best_label_and_matches_the_matrix_path():
    lex = Lexicon.fit(LABELS)
    groups = [LABELS[:2], LABELS[2:4], [], LABELS[4:]]
    best = lex.best("Senior Java Developer (m/w/d)", groups)
    assert best[2] == 0.0 and np.argmax(best) == 0
    assert best[0] == pytest.approx(
        similarity(lex.vector("Senior Java Developer (m/w/d)"), lex.vector("java developer"))
    )
    owner = np.array([0, 0, 1, 1, 2, 2])
    matrix = lexical_target_scores(lex, ["Senior Java Developer (m/w/d)", "HGV truck driver"], LABELS, owner, 3)
    assert np.allclose(matrix[0], best[[0, 1, 3]], atol=1e-6)
    assert np.argmax(matrix[1]) == 2 and np.all(lex.best("", groups) == 0)


def test_lexicon_roundtrips_and_refuses_other_ngram_sizes():
    lex = Lexicon.fit(LABELS)
    again = Lexicon.from_dict(lex.to_dict())
    assert again == lex and again.vector("nurse") == lex.vector("nurse")
    with pytest.raises(ValueError):
        Lexicon.from_dict({**lex.to_dict(), "ngrams": [3, 5]})
