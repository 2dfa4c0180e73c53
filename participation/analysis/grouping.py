"""Groups of items about the same concrete concern, named by key phrases, and near-duplicates:
pure functions over plain data (id, kind, title, text), so they run and test without a database.

How (all local: scikit-learn, simplemma, igraph; no model, no network):
- every item becomes TF-IDF vectors of its lemmas (words, parts of compounds, neighbouring
  pairs) and of character n-grams of its lemmas, which match the parts of Dutch compounds and
  survive typos; LSA (truncated SVD, about sqrt(n) dimensions) then brings words that occur
  together (bus, station, werktijden) close;
- each item is linked to its nearest neighbours (cosine), and Louvain community detection
  finds the groups in that graph: the number of groups follows from the data, nobody is asked
  for it. One Louvain run depends on its seed and resolution, so several runs vote: two items
  stay linked by the share of runs that put them together, and a last Louvain run on those
  votes gives the groups (consensus clustering);
- a group's key phrases are the words and word pairs that weigh most in it compared with the
  whole round (class-based TF-IDF), written as its items write them;
- near-duplicates are pairs whose character n-grams of the text as written are almost the same
  (cosine similarity above a threshold), compared block by block so memory stays bounded.
"""
from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import igraph
import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import normalize

from .items import Analysis, Group, Item  # noqa: F401 (what the analysis reads and gives)
from .text import Lemmatiser, normalise


@dataclass(frozen=True)
class Settings:
    """The knobs, tuned on the tuning part of tests/data (bench/analysis.py reports the
    figures on it and on the held-out part)."""
    #: Weight of the character n-grams against the words (both unit vectors before).
    char_weight: float = 0.6
    char_ngrams: tuple[int, int] = (3, 5)
    #: A word must occur in this many items to count (a word of one item links it to none).
    min_items_per_word: int = 2
    #: LSA dimensions per square root of the number of items, and at most.
    components_per_root: float = 1.0
    max_components: int = 100
    #: Neighbours of each item in the graph (the runs use this and twice this).
    neighbours: int = 4
    #: Louvain resolutions of the voting runs (higher: smaller groups).
    resolutions: tuple[float, ...] = (1.0, 1.5, 2.0)
    #: Resolution of the last run on the votes. At 1 (plain modularity) a small round came out
    #: in too few groups (a third of the tuning set, 12 concerns: 5 or 6); 1.5 splits them a
    #: little more and was as good or better on every part of the tuning set, whole or sampled.
    final_resolution: float = 1.5
    #: Past this many items, one Louvain run instead of a vote of several (see cluster).
    graph_items: int = 1500
    key_phrases: int = 4
    #: Cosine similarity of the character n-grams of two texts from which they are near-duplicates.
    duplicate_similarity: float = 0.72
    duplicate_ngrams: tuple[int, int] = (4, 6)
    #: Character n-grams in more items than this share of them (and 50) are left out of the
    #: comparison: they are in every text (" de ", "en ") and make the comparison slow.
    duplicate_max_share: float = 0.02
    #: Rows compared at once for near-duplicates and neighbours: memory is block x items.
    block: int = 500
    seed: int = 17


DEFAULT = Settings()


@dataclass
class _Document:
    lemmas: list[str]
    #: The parts of its compounds (parkeren, tarief for parkeertarief).
    parts: list[str]
    #: How each lemma was written in this item (for key phrases people recognise).
    written: dict[str, Counter]


def _documents(items: Sequence[Item]) -> list[_Document]:
    lemmatiser = Lemmatiser()
    documents = []
    for item in items:
        written: dict[str, Counter] = defaultdict(Counter)
        words = lemmatiser.words(item.title or "") + lemmatiser.words(item.text or "")
        for word, lemma in words:
            written[lemma][word.lower()] += 1
        lemmas = [lemma for _, lemma in words]
        parts = [part for lemma in lemmas for part in lemmatiser.parts(lemma)]
        documents.append(_Document(lemmas, parts, written))
    return documents


def _terms(document: _Document) -> list[str]:
    """Words, the parts of compounds and neighbouring pairs ("eerste uur", "openbaar vervoer")."""
    lemmas = document.lemmas
    return (lemmas + document.parts
            + [f"{a} {b}" for a, b in zip(lemmas, lemmas[1:], strict=False) if a != b])


def _identity(document):
    return document


def _char_ngrams(ngram_range: tuple[int, int]):
    """scikit-learn's "char_wb" analyser (the n-grams of each word padded with spaces), with the
    n-grams of each distinct word made once: 10,000 contributions have half a million words
    but some 20,000 distinct ones, and making n-grams in Python was a tenth of the time."""
    low, high = ngram_range
    made: dict[str, list[str]] = {}

    def of_word(word: str) -> list[str]:
        padded = f" {word} "
        grams = []
        for n in range(low, high + 1):
            if len(padded) <= n:  # a short word counts once, whole (as char_wb does)
                grams.append(padded)
                break
            grams += [padded[i:i + n] for i in range(len(padded) - n + 1)]
        return grams

    def analyse_text(text: str) -> list[str]:
        grams: list[str] = []
        for word in text.split():
            try:
                grams += made[word]
            except KeyError:
                made[word] = of_word(word)
                grams += made[word]
        return grams
    return analyse_text


def _vectors(documents: list[_Document], settings: Settings):
    """(unit vectors for the graph, word TF-IDF matrix, its vocabulary)."""
    terms = [_terms(d) for d in documents]
    min_df = settings.min_items_per_word if len(documents) >= 10 else 1
    words = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, dtype=np.float32,
                            min_df=min_df)
    try:
        word_matrix = words.fit_transform(terms)
        vocabulary = words.get_feature_names_out()
    except ValueError:  # no word occurs twice (or at all): the characters alone decide
        word_matrix, vocabulary = sp.csr_matrix((len(documents), 0), dtype=np.float32), []
    chars = TfidfVectorizer(analyzer=_char_ngrams(settings.char_ngrams), sublinear_tf=True,
                            dtype=np.float32)
    try:
        char_matrix = chars.fit_transform([" ".join(d.lemmas + d.parts) for d in documents])
    except ValueError:  # nothing but stop words in every item
        char_matrix = sp.csr_matrix((len(documents), 0), dtype=np.float32)
    combined = sp.hstack([word_matrix * (1 - settings.char_weight),
                          char_matrix * settings.char_weight]).tocsr()
    if combined.shape[1] == 0:  # nothing to compare: every item a group of its own
        return np.eye(len(documents), dtype=np.float32), word_matrix, vocabulary
    combined = normalize(combined)
    components = min(settings.max_components,
                     round(settings.components_per_root * math.sqrt(len(documents))),
                     combined.shape[0] - 1, combined.shape[1] - 1)
    if components >= 2:
        svd = TruncatedSVD(components, random_state=settings.seed, algorithm="randomized")
        vectors = normalize(svd.fit_transform(combined).astype(np.float32))
    else:
        vectors = combined.toarray()
    return vectors, word_matrix, vocabulary


def _neighbour_graph(vectors: np.ndarray, neighbours: int, settings: Settings) -> sp.csr_matrix:
    """Each item linked to its nearest neighbours, weighted by similarity (symmetric)."""
    n = len(vectors)
    k = min(neighbours + 1, n)
    index = NearestNeighbors(n_neighbors=k, metric="cosine", algorithm="brute").fit(vectors)
    rows, cols, weights = [], [], []
    for start in range(0, n, settings.block):
        distances, found = index.kneighbors(vectors[start:start + settings.block])
        for offset, (row_d, row_i) in enumerate(zip(distances, found, strict=True)):
            row = start + offset
            for distance, col in zip(row_d, row_i, strict=True):
                if col != row:
                    rows.append(row)
                    cols.append(col)
                    # Weights must be positive for Louvain; unrelated neighbours count little.
                    weights.append(max(1.0 - distance, 1e-3))
    graph = sp.csr_matrix((weights, (rows, cols)), shape=(n, n))
    return graph.maximum(graph.T).tocsr()


def _louvain(graph: sp.csr_matrix, resolution: float, seed: int) -> np.ndarray:
    """Louvain communities of a symmetric weighted graph, numbered by their first item.

    igraph's Louvain is C: on 10,000 items and 250,000 links it takes a fraction of a second
    where networkx's pure-Python one took eight. Its node order is random: seeded for the same
    groups on the same input."""
    upper = sp.triu(graph, k=1).tocoo()
    network = igraph.Graph(n=graph.shape[0], edges=np.column_stack([upper.row, upper.col]),
                           edge_attrs={"weight": upper.data})
    igraph.set_random_number_generator(random.Random(seed))
    try:
        membership = np.asarray(
            network.community_multilevel(weights="weight", resolution=resolution).membership)
    finally:
        igraph.set_random_number_generator(random)
    _, first = np.unique(membership, return_index=True)
    order = np.argsort(np.argsort(first))  # community -> its rank by first member
    return order[membership]


def cluster(vectors: np.ndarray, settings: Settings = DEFAULT) -> np.ndarray:
    """A group number per row; the number of groups follows from the data."""
    n = len(vectors)
    if n < 3:
        return np.arange(n)
    if n > settings.graph_items:
        # On thousands of items one run of plain modularity (resolution 1) instead of a vote
        # of several (each graph of neighbours costs seconds there; chosen when Louvain was
        # networkx's, not measured again with igraph's), on a graph with more neighbours
        # (about a quarter of the square root of n), which keeps a large graph's groups whole.
        neighbours = max(2 * settings.neighbours, round(math.sqrt(n) / 4))
        return _louvain(_neighbour_graph(vectors, neighbours, settings), 1.0, settings.seed)
    return _consensus(vectors, settings)


def _consensus(vectors: np.ndarray, settings: Settings) -> np.ndarray:
    n = len(vectors)
    wide = _neighbour_graph(vectors, 2 * settings.neighbours, settings).tocoo()
    votes = np.zeros(len(wide.row))
    runs = 0
    for neighbours in (settings.neighbours, 2 * settings.neighbours):
        graph = _neighbour_graph(vectors, neighbours, settings)
        for resolution in settings.resolutions:
            labels = _louvain(graph, resolution, settings.seed + runs)
            votes += labels[wide.row] == labels[wide.col]
            runs += 1
    agreed = sp.csr_matrix((votes / runs * wide.data, (wide.row, wide.col)), shape=(n, n))
    agreed.eliminate_zeros()
    return _louvain(agreed, settings.final_resolution, settings.seed)


def group_labels(items: Sequence[Item], settings: Settings = DEFAULT) -> np.ndarray:
    """A group number per item (what bench/analysis.py measures against the labels)."""
    if not items:
        return np.zeros(0, dtype=int)
    vectors, _, _ = _vectors(_documents(items), settings)
    return cluster(vectors, settings)


def _key_phrases(members: np.ndarray, word_matrix, vocabulary, documents: list[_Document],
                 overall: np.ndarray, count: int) -> list[str]:
    """The terms that weigh most in the group against the round (class-based TF-IDF), a
    phrase left out when a longer one chosen already contains it."""
    if word_matrix.shape[1] == 0:
        return []
    weight = np.asarray(word_matrix[members].mean(axis=0)).ravel()
    score = weight * np.log1p(weight / (overall + 1e-9))
    group = [documents[m] for m in members]
    chosen: list[str] = []
    for index in np.argsort(-score):
        if score[index] <= 0 or len(chosen) == count:
            break
        term = str(vocabulary[index])
        parts = set(term.split())
        if not all(any(word in d.written for d in group) for word in parts):
            continue  # only ever the part of a compound (nemer of werknemer): not a phrase
        if any(parts <= set(c.split()) or set(c.split()) <= parts for c in chosen):
            continue  # "parkeren" next to "gratis parkeren" says nothing new
        chosen.append(term)
    return [_as_written(term, group) for term in chosen]


def _as_written(term: str, documents: list[_Document]) -> str:
    """A lemma phrase as the group's items write it most often (parkeertarief: parkeertarieven)."""
    words = []
    for lemma in term.split():
        forms: Counter = Counter()
        for document in documents:
            forms.update(document.written.get(lemma, {}))
        words.append(forms.most_common(1)[0][0] if forms else lemma)
    return " ".join(words)


def near_duplicates(items: Sequence[Item], settings: Settings = DEFAULT) -> list[tuple[int, int]]:
    """Pairs of items whose texts as written are almost the same."""
    if len(items) < 2:
        return []
    texts = [normalise(f"{item.title or ''} {item.text or ''}").lower() for item in items]
    try:
        max_df = max(50, round(settings.duplicate_max_share * len(texts)))
        matrix = TfidfVectorizer(analyzer=_char_ngrams(settings.duplicate_ngrams),
                                 sublinear_tf=True, dtype=np.float32,
                                 max_df=max_df if max_df < len(texts) else 1.0).fit_transform(texts)
    except ValueError:  # no text long enough for one n-gram
        return []
    transposed = matrix.T.tocsc()
    pairs = []
    for start in range(0, matrix.shape[0], settings.block):
        block = (matrix[start:start + settings.block] @ transposed).tocoo()
        keep = (block.data >= settings.duplicate_similarity) & (block.row + start < block.col)
        for row, col in zip(block.row[keep] + start, block.col[keep], strict=True):
            a, b = items[row].id, items[col].id
            pairs.append((min(a, b), max(a, b)))
    return sorted(pairs)


def analyse(items: Sequence[Item], settings: Settings = DEFAULT) -> Analysis:
    """The groups (largest first; every item in one) and the near-duplicate pairs."""
    if not items:
        return Analysis([], [])
    documents = _documents(items)
    vectors, word_matrix, vocabulary = _vectors(documents, settings)
    labels = cluster(vectors, settings)
    overall = (np.asarray(word_matrix.mean(axis=0)).ravel() if word_matrix.shape[1]
               else np.zeros(0))
    groups = []
    for number in np.unique(labels):
        members = np.flatnonzero(labels == number)
        phrases = _key_phrases(members, word_matrix, vocabulary, documents, overall,
                               settings.key_phrases)
        label = ", ".join(phrases[:2]) if phrases else (items[members[0]].title or "")
        groups.append(Group(label, tuple(phrases), tuple(items[m] for m in members)))
    groups.sort(key=lambda g: (-len(g.items), g.items[0].id))
    return Analysis(groups, near_duplicates(items, settings))
