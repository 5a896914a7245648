"""The learned part of dispatch help: a text classifier trained on the city's own past decisions.

Features: TF-IDF of character 2–4-grams and of words (1–2) of the diacritic-folded text, so that
"đèn đường", "den duong" and a typo all look alike, plus one-hot category, area and category×area.
A multinomial logistic regression turns them into a probability per class (a body, or a category).
Trained by `paht routing train` and the nightly job, stored in the database, never downloaded.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from paht.search.text import folded_tokens

CONTEXT_WEIGHT = 1.0


@dataclass(frozen=True)
class Example:
    """One past decision: what the report said and where, and the class that proved right."""

    text: str
    category: str | None
    area: str | None
    label: str
    at: datetime


class TextClassifier:
    def __init__(self, *, use_category: bool = True, c: float = 4.0) -> None:
        # scikit-learn and SciPy are imported here, not at the top: they take about 1.5 s to import, and every
        # server and command imports this module through the routers while few of them ever train or predict.
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self.use_category = use_category
        self.c = c
        self.chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 4), min_df=2, sublinear_tf=True, max_features=80_000, dtype=np.float32
        )
        self.words = TfidfVectorizer(
            token_pattern=r"\S+",  # noqa: S106 — a regular expression, not a password
            ngram_range=(1, 2),
            min_df=2,
            sublinear_tf=True,
            dtype=np.float32,
        )
        self.context = DictVectorizer(dtype=np.float32)
        self.classifier = LogisticRegression(C=c, tol=1e-3, max_iter=200)
        self.examples = 0

    def _context(self, category: str | None, area: str | None) -> dict[str, float]:
        found = {f"area={area or '-'}": CONTEXT_WEIGHT}
        if self.use_category:
            found[f"cat={category or '-'}"] = CONTEXT_WEIGHT
            found[f"cat×area={category or '-'}×{area or '-'}"] = CONTEXT_WEIGHT
        return found

    def _matrix(self, texts: list[str], contexts: list[dict[str, float]], *, fit: bool):  # type: ignore[no-untyped-def]
        from scipy.sparse import hstack  # loaded with the model (see __init__)

        folded = [" ".join(folded_tokens(t)) for t in texts]
        if fit:
            return hstack(
                [
                    self.chars.fit_transform(folded),
                    self.words.fit_transform(folded),
                    self.context.fit_transform(contexts),
                ]
            ).tocsr()
        return hstack(
            [self.chars.transform(folded), self.words.transform(folded), self.context.transform(contexts)]
        ).tocsr()

    def fit(self, examples: list[Example]) -> TextClassifier:
        if len({e.label for e in examples}) < 2:
            raise ValueError("need examples of at least two classes")
        matrix = self._matrix(
            [e.text for e in examples], [self._context(e.category, e.area) for e in examples], fit=True
        )
        self.classifier.fit(matrix, [e.label for e in examples])
        self.examples = len(examples)
        return self

    @property
    def classes(self) -> list[str]:
        return [str(c) for c in self.classifier.classes_]

    def predict_many(
        self, rows: list[tuple[str, str | None, str | None]], *, top: int = 3
    ) -> list[list[tuple[str, float]]]:
        """For each (text, category, area): the `top` classes with their probabilities, best first."""
        if not rows:
            return []
        matrix = self._matrix([r[0] for r in rows], [self._context(r[1], r[2]) for r in rows], fit=False)
        probabilities = self.classifier.predict_proba(matrix)
        classes = self.classes
        out = []
        for row in probabilities:
            best = np.argsort(-row)[:top]
            out.append([(classes[i], float(row[i])) for i in best])
        return out

    def predict(self, text: str, category: str | None, area: str | None, *, top: int = 3) -> list[tuple[str, float]]:
        return self.predict_many([(text, category, area)], top=top)[0]


def dump(model: TextClassifier) -> tuple[bytes, str]:
    blob = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    return blob, hashlib.sha256(blob).hexdigest()


def load(blob: bytes, sha256: str) -> TextClassifier:
    """Unpickle a model our own trainer stored (checked against its digest: a damaged row fails loudly)."""
    if hashlib.sha256(blob).hexdigest() != sha256:
        raise ValueError("stored routing model does not match its digest")
    # Written by paht.dispatching.training, never from outside (accepted risk, see `make audit` in the README).
    model = pickle.loads(blob)  # noqa: S301  # nosec B301
    if not isinstance(model, TextClassifier):
        raise TypeError("stored routing model is not a TextClassifier")
    return model
