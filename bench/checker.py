"""Measure how fast the checker is against a bare Aho-Corasick scan and a naive trie filter.

Run from the repository root:

    .venv/bin/python bench/checker.py            # the full run, about ten minutes
    .venv/bin/python bench/checker.py --quick    # a smoke run of a few seconds
    .venv/bin/python bench/checker.py --profile  # also print where check() spends its time

Texts come from real posts by official accounts (bench/data/cscd-ime-dev.tsv, column 2),
the lexicon from jieba's bundled dictionary; both are drawn with a fixed seed, so two runs
see the same input. The report is Markdown, ready for bench/RESULTS.md.
"""

import argparse
import cProfile
import datetime
import gc
import importlib.util
import io
import os
import platform
import pstats
import random
import re
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import ahocorasick_rs

from beatdesk.checker.core import (
    Category,
    CompiledLexicon,
    LexiconEntry,
    Severity,
    check,
    compile_lexicon,
    load_default_lexicon,
)
from beatdesk.checker.core.deployment import find_deployment_details
from beatdesk.checker.core.lexicon import DEFAULT_SEVERITIES, find_lexicon_terms
from beatdesk.checker.core.normalize import fold_for_terms, normalize, normalize_term
from beatdesk.checker.core.personal_data import find_personal_data
from beatdesk.checker.core.readability import assess_readability
from beatdesk.checker.core.secrecy import find_secrets
from beatdesk.checker.core.wrong_characters import find_wrong_characters

SEED = 20240601
POSTS_FILE = Path(__file__).parent / "data" / "cscd-ime-dev.tsv"
MEGABYTE = 1_000_000

# Lines of the posts file are sentences without a final stop; posts join them with one.
SENTENCE_END = "。"
# Matchers take turns on batches of this many texts; see `time_in_turns`.
TURN_TEXTS = 20
# Lexicon terms: dictionary words of two to six Chinese characters and nothing else.
LEXICON_WORD = re.compile(r"[\u4e00-\u9fff]{2,6}")
# One entry in this many gets an exception cue, so the context step of the lexicon runs too.
EXCEPTION_EVERY = 20
EXCEPTION_CUES = ("严禁", "打击", "依法")


@dataclass(frozen=True, slots=True)
class Settings:
    """How much to measure: sizes of the inputs and how often each measurement repeats."""

    post_length: int
    message_length: int
    corpus_bytes: int
    lexicon_size: int
    latency_texts: int
    rounds: int
    build_rounds: int
    # The wrong-character rule is slow, so it is measured on fewer texts and on the start
    # of the corpus only.
    wrong_character_texts: int
    wrong_character_bytes: int
    # Rounds of one measurement stop early once this many seconds have gone by.
    budget_seconds: float


FULL = Settings(2000, 100, 10 * MEGABYTE, 50_000, 200, 5, 3, 50, MEGABYTE, 240.0)
QUICK = Settings(2000, 100, 100_000, 3_000, 10, 2, 1, 2, 6_000, 2.0)


@dataclass(frozen=True, slots=True)
class Inputs:
    """The texts and the lexicon terms every matcher sees."""

    posts: list[str]
    messages: list[str]
    corpus: list[str]
    corpus_bytes: int
    entries: list[LexiconEntry]

    @property
    def terms(self) -> list[str]:
        """Return the lexicon's terms in entry order."""
        return [entry.term for entry in self.entries]


@dataclass(frozen=True, slots=True)
class Speed:
    """Latency percentiles per text kind and throughput over the corpus, medians of rounds."""

    post_p50: float
    post_p99: float
    message_p50: float
    message_p99: float
    megabytes_per_second: float

    @property
    def seconds_per_megabyte(self) -> float:
        """Return the cost of one megabyte, the inverse of the throughput."""
        return 1 / self.megabytes_per_second


@dataclass(frozen=True, slots=True)
class RoundTimes:
    """One matcher in one round: seconds per post and per message, and for the whole corpus."""

    posts: list[float]
    messages: list[float]
    corpus: float


class TrieNode(dict[str, "TrieNode"]):
    """A node of the naive trie: children by character, and the term that ends here if any."""

    __slots__ = ("term_index",)

    def __init__(self) -> None:
        super().__init__()
        self.term_index = -1


def main(arguments: Sequence[str] | None = None) -> None:
    """Build the inputs, measure every matcher and print the report."""
    options = parse_arguments(arguments)
    settings = QUICK if options.quick else FULL
    heading = describe_run(settings, options)
    inputs = build_inputs(settings)

    report = measure_everything(inputs, settings)
    if options.profile:
        report.append(profile_check(inputs))
    print("\n".join([heading, *report, f"Load average at the end: {load_average()}."]))


def parse_arguments(arguments: Sequence[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small inputs, a few seconds")
    parser.add_argument("--profile", action="store_true", help="profile check() with cProfile")
    return parser.parse_args(arguments)


# Inputs.


def build_inputs(settings: Settings) -> Inputs:
    """Draw the posts, messages, corpus and lexicon with the fixed seed."""
    sentences = read_sentences(POSTS_FILE)
    generator = random.Random(SEED)
    posts = [
        compose_text(sentences, generator, settings.post_length)
        for _ in range(settings.latency_texts)
    ]
    messages = [
        compose_text(sentences, generator, settings.message_length)
        for _ in range(settings.latency_texts)
    ]
    corpus = list(compose_corpus(sentences, generator, settings))
    entries = draw_lexicon(read_dictionary_words(), generator, settings.lexicon_size)
    corpus_bytes = sum(len(chunk.encode()) for chunk in corpus)
    return Inputs(posts, messages, corpus, corpus_bytes, entries)


def read_sentences(path: Path) -> list[str]:
    """Return column 2 (the text as posted) of every line of the posts file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.split("\t")[1] for line in lines if line.count("\t") == 2]


def compose_text(sentences: Sequence[str], generator: random.Random, length: int) -> str:
    """Join consecutive sentences from a random line on, and cut the result to `length`."""
    first = generator.randrange(len(sentences))
    pieces: list[str] = []
    total = 0
    for offset in range(len(sentences)):
        sentence = sentences[(first + offset) % len(sentences)] + SENTENCE_END
        pieces.append(sentence)
        total += len(sentence)
        if total >= length:
            break
    return "".join(pieces)[:length]


def compose_corpus(
    sentences: Sequence[str], generator: random.Random, settings: Settings
) -> Iterator[str]:
    """Yield post-sized chunks of shuffled sentences until the corpus reaches its size.

    The posts file holds well under 10 MB, so the corpus goes through it several times, each
    time in a new order.
    """
    stream = ""
    size = 0
    order = list(sentences)
    # Each pass adds the whole file, so this many passes always reach the size.
    passes = settings.corpus_bytes // len(SENTENCE_END.join(sentences).encode()) + 2
    for _ in range(passes):
        generator.shuffle(order)
        stream += SENTENCE_END.join(order) + SENTENCE_END
        while len(stream) >= settings.post_length and size < settings.corpus_bytes:
            chunk, stream = stream[: settings.post_length], stream[settings.post_length :]
            size += len(chunk.encode())
            yield chunk
        if size >= settings.corpus_bytes:
            return


def read_dictionary_words() -> list[str]:
    """Return the words of jieba's bundled dictionary (dict.txt: word, frequency, tag)."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        raise SystemExit("The benchmark needs jieba: .venv/bin/pip install jieba==0.42.1")
    dictionary = Path(spec.origin).parent / "dict.txt"
    lines = dictionary.read_text(encoding="utf-8").splitlines()
    return [line.split(" ", 1)[0] for line in lines]


def draw_lexicon(words: list[str], generator: random.Random, size: int) -> list[LexiconEntry]:
    """Draw `size` distinct terms and spread them over the categories and severities.

    Only terms the checker keeps as they are take part, so every matcher searches for
    exactly the same strings.
    """
    # Kept in file order, not in a set, so the draw does not depend on string hashing.
    candidates = list(dict.fromkeys(word for word in words if LEXICON_WORD.fullmatch(word)))
    # Nearly every candidate survives normalization, so a tenth more is plenty.
    drawn = generator.sample(candidates, min(len(candidates), size + size // 10 + 100))
    terms = [word for word in drawn if normalize_term(word) == word][:size]
    if len(terms) < size:
        raise SystemExit(f"jieba's dictionary gave {len(terms)} usable terms, not {size}.")
    return [make_entry(index, term, generator) for index, term in enumerate(terms)]


def make_entry(index: int, term: str, generator: random.Random) -> LexiconEntry:
    """Return an entry whose category cycles and whose severity is drawn."""
    categories = list(DEFAULT_SEVERITIES)
    category = categories[index % len(categories)]
    cues = (generator.choice(EXCEPTION_CUES),) if index % EXCEPTION_EVERY == 0 else ()
    severity = generator.choice([DEFAULT_SEVERITIES[category], *Severity])
    return LexiconEntry(term, category, severity, f"Benchmark term in {category}.", None, cues)


# Measurements.


def measure_everything(inputs: Inputs, settings: Settings) -> list[str]:
    """Measure build times, speeds, memory and ratios, and return the report's lines."""
    lexicon, checker_build = time_build(lambda: compile_lexicon(inputs.entries), settings)
    default_entries = load_default_lexicon().entries
    default, default_build = time_build(lambda: compile_lexicon(default_entries), settings)
    automaton, automaton_build = time_build(lambda: build_bare_automaton(inputs.terms), settings)
    trie, trie_build = time_build(lambda: build_trie(inputs.terms), settings)

    matchers: dict[str, Callable[[str], object]] = {
        "full": lambda text: check(text, lexicon),
        "default": lambda text: check(text, default),
        "bare": lambda text: scan_with_automaton(automaton, text),
        "naive": lambda text: scan_with_trie(trie, text),
    }
    rounds = measure_side_by_side(matchers, inputs, settings)
    speeds = {name: summarize(times, inputs.corpus_bytes) for name, times in rounds.items()}
    rows = [
        speed_row("check(), full", speeds["full"], checker_build),
        speed_row(
            f"check(), default lexicon ({len(default_entries)} terms)",
            speeds["default"],
            default_build,
        ),
        speed_row("bare Aho-Corasick (ahocorasick-rs)", speeds["bare"], automaton_build),
        speed_row("naive Python trie", speeds["naive"], trie_build),
    ]
    return [
        *speed_table(rows),
        *ratio_lines(rounds),
        *wrong_character_lines(lexicon, inputs, settings),
        *match_count_lines(inputs, lexicon, automaton, trie),
        *memory_lines(inputs),
        *stage_lines(inputs, lexicon, speeds, settings),
    ]


def time_build[T](build: Callable[[], T], settings: Settings) -> tuple[T, float]:
    """Build something `build_rounds` times; return the last one and the median seconds."""
    durations: list[float] = []
    built = build()
    for _ in range(settings.build_rounds):
        gc.collect()
        started = cpu_seconds()
        built = build()
        durations.append(cpu_seconds() - started)
    return built, statistics.median(durations)


def measure_side_by_side(
    matchers: dict[str, Callable[[str], object]], inputs: Inputs, settings: Settings
) -> dict[str, list[RoundTimes]]:
    """Time every matcher on the posts, the messages and the corpus, round after round."""
    for function in matchers.values():
        function(inputs.posts[0])
    rounds: dict[str, list[RoundTimes]] = {name: [] for name in matchers}
    for _ in within_budget(settings):
        gc.collect()
        posts = time_in_turns(matchers, inputs.posts)
        messages = time_in_turns(matchers, inputs.messages)
        corpus = time_in_turns(matchers, inputs.corpus)
        for name, times in rounds.items():
            times.append(RoundTimes(posts[name], messages[name], sum(corpus[name])))
    return rounds


def time_in_turns(
    matchers: dict[str, Callable[[str], object]], texts: Sequence[str]
) -> dict[str, list[float]]:
    """Return each matcher's seconds per text; matchers take turns on batches of texts.

    On a shared machine the load changes from minute to minute; taking turns every few texts
    puts every matcher under the same load, while each still runs warm within its batch.
    """
    times: dict[str, list[float]] = {name: [] for name in matchers}
    for first in range(0, len(texts), TURN_TEXTS):
        batch = texts[first : first + TURN_TEXTS]
        for name, function in matchers.items():
            times[name] += time_each(function, batch)
    return times


def summarize(rounds: list[RoundTimes], corpus_bytes: int) -> Speed:
    """Return the medians over rounds of each round's percentiles and throughput."""
    return Speed(
        post_p50=statistics.median(statistics.median(times.posts) for times in rounds),
        post_p99=statistics.median(percentile(times.posts, 0.99) for times in rounds),
        message_p50=statistics.median(statistics.median(times.messages) for times in rounds),
        message_p99=statistics.median(percentile(times.messages, 0.99) for times in rounds),
        megabytes_per_second=statistics.median(
            corpus_bytes / MEGABYTE / times.corpus for times in rounds
        ),
    )


def measure_speed(function: Callable[[str], object], inputs: Inputs, settings: Settings) -> Speed:
    """Measure one function alone: latency on posts and messages, throughput on the corpus."""
    rounds = measure_side_by_side({"alone": function}, inputs, settings)
    return summarize(rounds["alone"], inputs.corpus_bytes)


def measure_latency[T](
    function: Callable[[T], object], items: Sequence[T], settings: Settings
) -> tuple[float, float]:
    """Return the medians over rounds of each round's p50 and p99 latency, in seconds."""
    function(items[0])
    p50s: list[float] = []
    p99s: list[float] = []
    for _ in within_budget(settings):
        gc.collect()
        latencies = time_each(function, items)
        p50s.append(statistics.median(latencies))
        p99s.append(percentile(latencies, 0.99))
    return statistics.median(p50s), statistics.median(p99s)


def cpu_seconds() -> float:
    """Return the CPU time of this thread, the clock of every measurement here.

    Machines are shared: wall-clock time would count the moments another process holds the
    core, which on a loaded machine inflates a short call several times over.
    """
    return time.thread_time()


def within_budget(settings: Settings) -> Iterator[int]:
    """Yield round numbers up to `rounds`, stopping early once the time budget is spent."""
    started = time.perf_counter()
    for round_number in range(settings.rounds):
        if round_number and time.perf_counter() - started > settings.budget_seconds:
            return
        yield round_number


def time_each[T](function: Callable[[T], object], items: Sequence[T]) -> list[float]:
    """Return the seconds each call takes, one item at a time."""
    latencies: list[float] = []
    for item in items:
        started = cpu_seconds()
        function(item)
        latencies.append(cpu_seconds() - started)
    return latencies


def percentile(values: Sequence[float], fraction: float) -> float:
    """Return the nearest-rank percentile of some values."""
    rank = max(1, round(fraction * len(values)))
    return sorted(values)[rank - 1]


# The two matchers check() is compared with.


def build_bare_automaton(terms: list[str]) -> ahocorasick_rs.AhoCorasick:
    """Compile the terms for ahocorasick-rs, reporting every overlapping match."""
    return ahocorasick_rs.AhoCorasick(terms, matchkind=ahocorasick_rs.MATCHKIND_STANDARD)


def scan_with_automaton(
    automaton: ahocorasick_rs.AhoCorasick, text: str
) -> list[tuple[int, int, int]]:
    """Return `(term_index, start, end)` for every occurrence of every term."""
    return automaton.find_matches_as_indexes(text, overlapping=True)


def build_trie(terms: Sequence[str]) -> TrieNode:
    """Build a dict-of-dicts trie whose nodes remember the term ending at them."""
    root = TrieNode()
    for term_index, term in enumerate(terms):
        node = root
        for character in term:
            child = node.get(character)
            if child is None:
                child = node[character] = TrieNode()
            node = child
        node.term_index = term_index
    return root


def scan_with_trie(root: TrieNode, text: str) -> list[tuple[int, int, int]]:
    """Walk the trie from every position; return `(term_index, start, end)` per match."""
    found: list[tuple[int, int, int]] = []
    length = len(text)
    for start in range(length):
        node = root.get(text[start])
        position = start + 1
        while node is not None:
            if node.term_index >= 0:
                found.append((node.term_index, start, position))
            if position == length:
                break
            node = node.get(text[position])
            position += 1
    return found


# Report sections.


def describe_run(settings: Settings, options: argparse.Namespace) -> str:
    """Return the heading: command, date, machine, its load and the input sizes."""
    given = [("--quick", options.quick), ("--profile", options.profile)]
    command = " ".join([".venv/bin/python bench/checker.py", *(flag for flag, on in given if on)])
    return "\n".join(
        [
            f"Command: `{command}`, {datetime.date.today().isoformat()}.",
            f"Machine: {os.cpu_count()} cores ({processor_name()}), "
            f"Python {platform.python_version()} on {platform.system()} {platform.release()}; "
            f"load average at the start {load_average()}.",
            f"Inputs: posts of {settings.post_length} and messages of "
            f"{settings.message_length} characters ({settings.latency_texts} of each), "
            f"a {settings.corpus_bytes / MEGABYTE:g} MB corpus in post-sized chunks, "
            f"{settings.lexicon_size:,} lexicon terms; medians of up to {settings.rounds} "
            f"rounds, builds of {settings.build_rounds}. Times are the thread's CPU time; "
            "MB means 10^6 bytes of UTF-8.",
            "",
        ]
    )


def load_average() -> str:
    """Return the 1, 5 and 15 minute load averages: other work on the machine skews figures."""
    return " ".join(f"{load:.2f}" for load in os.getloadavg())


def processor_name() -> str:
    """Return the CPU model from /proc/cpuinfo where Linux has one."""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return platform.processor() or "unknown processor"
    names = re.findall(r"^model name\s*:\s*(.+)$", cpuinfo, flags=re.MULTILINE)
    return names[0].strip() if names else platform.processor() or "unknown processor"


def speed_row(name: str, speed: Speed, build_seconds: float | None) -> str:
    """Return one table row: latencies in milliseconds, throughput and build time."""
    cells = [
        name,
        milliseconds(speed.post_p50),
        milliseconds(speed.post_p99),
        milliseconds(speed.message_p50),
        milliseconds(speed.message_p99),
        f"{speed.megabytes_per_second:.2f}",
        "n/a" if build_seconds is None else f"{build_seconds:.2f}",
    ]
    return "| " + " | ".join(cells) + " |"


def speed_table(rows: list[str]) -> list[str]:
    """Return the speed table with its header."""
    return [
        "| matcher | post p50 ms | post p99 ms | message p50 ms | message p99 ms "
        "| corpus MB/s | build s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
    ]


def milliseconds(seconds: float) -> str:
    """Format seconds as milliseconds with three decimals."""
    return f"{seconds * 1000:.3f}"


def ratio_lines(rounds: dict[str, list[RoundTimes]]) -> list[str]:
    """Return this run's ratios against the goal: check() at most 3x the bare scan.

    Each ratio is the median of the ratios within each round, where both sides ran under
    the same load.
    """
    full, bare, naive = rounds["full"], rounds["bare"], rounds["naive"]
    corpus = median_ratio(full, bare, lambda times: times.corpus)
    posts = median_ratio(full, bare, lambda times: statistics.median(times.posts))
    messages = median_ratio(full, bare, lambda times: statistics.median(times.messages))
    naive_corpus = median_ratio(naive, full, lambda times: times.corpus)
    naive_posts = median_ratio(naive, full, lambda times: statistics.median(times.posts))
    naive_messages = median_ratio(naive, full, lambda times: statistics.median(times.messages))
    return [
        f"Ratios from this run, medians of the ratios in each of {len(full)} rounds (goal: "
        "check() at most 3x the bare scan, and faster than the naive filter):",
        "",
        f"- check() / bare Aho-Corasick: corpus {corpus:.1f}x, post p50 {posts:.1f}x, "
        f"message p50 {messages:.1f}x ({'meets' if corpus <= 3 else 'misses'} the 3x goal).",
        f"- naive trie / check(): corpus {naive_corpus:.2f}x, post p50 {naive_posts:.2f}x, "
        f"message p50 {naive_messages:.2f}x "
        f"(check() is {'faster' if naive_corpus > 1 else 'slower'} than the naive filter).",
        "",
    ]


def median_ratio(
    numerators: list[RoundTimes],
    denominators: list[RoundTimes],
    measure: Callable[[RoundTimes], float],
) -> float:
    """Return the median over rounds of one measure's ratio between two matchers."""
    pairs = zip(numerators, denominators, strict=True)
    return statistics.median(measure(top) / measure(bottom) for top, bottom in pairs)


def wrong_character_lines(
    lexicon: CompiledLexicon, inputs: Inputs, settings: Settings
) -> list[str]:
    """Measure the wrong-character rule alone and check() with it on, on fewer texts."""
    try:
        return measure_wrong_characters(lexicon, inputs, settings)
    except Exception as error:
        # The rule is young and loads data files of its own; a failure there must not cost
        # the figures of every other matcher.
        return [f"The wrong-character rule was not measured: {error!r}.", ""]


def measure_wrong_characters(
    lexicon: CompiledLexicon, inputs: Inputs, settings: Settings
) -> list[str]:
    """Time the rule's first use (loading its data), then the rule and check() with it on."""
    started = cpu_seconds()
    list(find_wrong_characters(normalize(inputs.messages[0])))
    loading = cpu_seconds() - started

    sliced = cut_inputs(inputs, settings.wrong_character_texts, settings.wrong_character_bytes)
    rule = measure_speed(
        lambda text: list(find_wrong_characters(normalize(text))), sliced, settings
    )
    switched_on = measure_speed(
        lambda text: check(text, lexicon, wrong_characters=True), sliced, settings
    )
    return [
        f"The wrong-character rule, off in the rows above (its build time is its first use, "
        f"which loads its data; {len(sliced.posts)} texts of each kind, throughput over the "
        f"first {sliced.corpus_bytes / MEGABYTE:.2f} MB of the corpus):",
        "",
        *speed_table(
            [
                speed_row("wrong characters alone (with normalize)", rule, loading),
                speed_row("check(), wrong characters on", switched_on, None),
            ]
        ),
    ]


def cut_inputs(inputs: Inputs, texts: int, size: int) -> Inputs:
    """Return the first `texts` posts and messages and the corpus's first `size` bytes."""
    chunks: list[str] = []
    total = 0
    for chunk in inputs.corpus:
        if total >= size:
            break
        chunks.append(chunk)
        total += len(chunk.encode())
    return Inputs(inputs.posts[:texts], inputs.messages[:texts], chunks, total, inputs.entries)


def match_count_lines(
    inputs: Inputs,
    lexicon: CompiledLexicon,
    automaton: ahocorasick_rs.AhoCorasick,
    trie: TrieNode,
) -> list[str]:
    """Count lexicon matches in the posts by each matcher, to show they do the same work."""
    checker = sum(
        sum(1 for _ in find_lexicon_terms(fold_for_terms(normalize(post)), lexicon))
        for post in inputs.posts
    )
    bare = sum(len(scan_with_automaton(automaton, post)) for post in inputs.posts)
    naive = sum(len(scan_with_trie(trie, post)) for post in inputs.posts)
    return [
        f"Lexicon matches in the {len(inputs.posts)} posts: check() {checker:,}, "
        f"bare {bare:,}, naive {naive:,} (check() matches on normalized text).",
        "",
    ]


def memory_lines(inputs: Inputs) -> list[str]:
    """Measure memory with tracemalloc (Python allocations) and the process's maxrss."""
    gc.collect()
    tracemalloc.start()
    lexicon = compile_lexicon(inputs.entries)
    retained, build_peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    baseline = tracemalloc.get_traced_memory()[0]
    check(inputs.posts[0], lexicon)
    check_peak = tracemalloc.get_traced_memory()[1] - baseline
    tracemalloc.stop()

    return [
        "Memory (tracemalloc, Python allocations only):",
        "",
        f"- compiled checker lexicon: {retained / MEGABYTE:.1f} MB kept, "
        f"{build_peak / MEGABYTE:.1f} MB peak while compiling, not counting the "
        "ahocorasick-rs automaton, which Rust allocates outside tracemalloc's view.",
        f"- one check() of a post: {check_peak / 1000:.0f} kB peak above the lexicon.",
        f"- whole benchmark process (resource maxrss, every matcher and input loaded): "
        f"{max_resident_megabytes():.0f} MB.",
        "",
    ]


def max_resident_megabytes() -> float:
    """Return the peak resident set size of this process; Linux reports kibibytes."""
    kilobytes = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kilobytes * (1 if sys.platform == "darwin" else 1024) / MEGABYTE


def stage_lines(
    inputs: Inputs, lexicon: CompiledLexicon, speeds: dict[str, Speed], settings: Settings
) -> list[str]:
    """Time the stages of check() one by one on the posts, to show where the time goes."""
    full, bare, naive = speeds["full"], speeds["bare"], speeds["naive"]
    stages = stage_timings(inputs.posts, lexicon, settings)
    lexicon_stage = stages["lexicon terms"]
    term_texts = [fold_for_terms(normalize(post)).text for post in inputs.posts]
    scan = measure_latency(lexicon.automaton.find_indexes, term_texts, settings)[0]
    floor = measure_latency(lookup_every_character, inputs.posts, settings)[0]
    return [
        "Where check() spends its time on a post (p50 ms of each stage run alone):",
        "",
        *[f"- {name}: {milliseconds(seconds)}" for name, seconds in stages.items()],
        f"- all stages: {milliseconds(sum(stages.values()))}, check() itself "
        f"{milliseconds(full.post_p50)} (timed apart, so noise may make either the larger).",
        f"- of the lexicon stage, the scan in ahocorasick-rs alone: {milliseconds(scan)}; the "
        "rest builds the findings.",
        f"- the lexicon stage alone: {lexicon_stage / bare.post_p50:.1f}x the bare scan, "
        f"{lexicon_stage / naive.post_p50:.2f}x the naive trie.",
        f"- reference: a Python loop doing one dict lookup per character takes "
        f"{milliseconds(floor)} ms a post, {floor / bare.post_p50:.1f}x the bare scan.",
        "",
    ]


def stage_timings(
    posts: Sequence[str], lexicon: CompiledLexicon, settings: Settings
) -> dict[str, float]:
    """Return the median latency of each stage of check() over the posts."""
    views = [normalize(post) for post in posts]
    term_views = [fold_for_terms(view) for view in views]
    officialese = [
        [f for f in find_lexicon_terms(view, lexicon) if f.category is Category.OFFICIALESE]
        for view in term_views
    ]
    steps: dict[str, Callable[[int], object]] = {
        "normalize": lambda i: normalize(posts[i]),
        "fold for terms": lambda i: fold_for_terms(views[i]),
        "lexicon terms": lambda i: find_lexicon_terms(term_views[i], lexicon),
        "personal data": lambda i: find_personal_data(views[i], posts[i]),
        "secrets": lambda i: list(find_secrets(views[i], term_views[i])),
        "deployment details": lambda i: list(find_deployment_details(views[i])),
        "readability": lambda i: assess_readability(views[i], term_views[i], officialese[i]),
    }
    indexes = range(len(posts))
    return {name: measure_latency(step, indexes, settings)[0] for name, step in steps.items()}


_LOOKUP_TABLE = {character: index for index, character in enumerate("的一是了我不在人")}


def lookup_every_character(text: str) -> None:
    """Look every character up in a dict once: what any Python-level scan must at least do."""
    table = _LOOKUP_TABLE
    for character in text:
        table.get(character)


def profile_check(inputs: Inputs) -> str:
    """Profile check() over the posts with cProfile; return the top functions by own time."""
    lexicon = compile_lexicon(inputs.entries)
    profiler = cProfile.Profile()
    profiler.enable()
    for post in inputs.posts:
        check(post, lexicon)
    profiler.disable()

    output = io.StringIO()
    pstats.Stats(profiler, stream=output).sort_stats("tottime").print_stats(15)
    return "cProfile of check() over the posts, by own time:\n\n```\n" + output.getvalue() + "```"


if __name__ == "__main__":
    main()
