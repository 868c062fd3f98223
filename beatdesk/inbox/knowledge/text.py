"""Cut a question into the terms matching counts: character bigrams and unigrams.

jieba is not a runtime dependency, and residents' questions are short, full of typos and
voice-to-text, so word segmentation would gain little: overlapping bigrams catch words
without a dictionary. Before cutting, a short list of residents' spellings is rewritten to
the form the entries use (户口本 to 户口簿, 驾照 to 驾驶证), and filler words that say
nothing about the topic (请问, 一下, 吗) become breaks, so no bigram spans them.
"""

import re
import unicodedata

# Written from how residents spell things, not fitted to the labelled questions.
SPELLINGS: tuple[tuple[str, str], ...] = (
    ("户口本", "户口簿"),
    ("户口薄", "户口簿"),
    ("户口部", "户口簿"),
    ("户薄", "户口簿"),
    ("身分证", "身份证"),
    ("身份正", "身份证"),
    ("驾照", "驾驶证"),
    ("驾驶照", "驾驶证"),
    ("电瓶车", "电动车"),
    ("电驴", "电动车"),
    ("犯罪纪录", "犯罪记录"),
    ("无犯罪证明", "无犯罪记录证明"),
    ("暂住证", "居住证"),
    ("找不到", "丢了"),
    ("找不着", "丢了"),
    ("不见了", "丢了"),
    ("掉了", "丢了"),
    ("报户口", "落户"),
    ("上户口", "落户"),
    ("办户口", "落户"),
    ("过世", "去世"),
    ("小孩子", "孩子"),
    ("小孩", "孩子"),
    ("宝宝", "孩子"),
    ("星期六", "周末"),
    ("星期天", "周末"),
    ("星期日", "周末"),
    ("礼拜天", "周末"),
    ("周六", "周末"),
    ("周日", "周末"),
    ("媳妇", "配偶"),
    ("老婆", "配偶"),
    ("老公", "配偶"),
    ("妻子", "配偶"),
    ("丈夫", "配偶"),
    ("咋整", "怎么办"),
    ("咋办", "怎么办"),
    ("咋弄", "怎么办"),
    ("咋", "怎么"),
    ("啥", "什么"),
    ("哪儿", "哪里"),
    ("公安局", "公安"),
)
FILLERS = (
    "怎么办理",
    "怎么办",
    "怎么",
    "什么",
    "如何",
    "哪里",
    "请问",
    "你好",
    "您好",
    "麻烦",
    "一下",
    "的话",
    "那个",
    "这个",
    "我想",
    "想问",
    "你们",
    "我们",
    "可以",
    "是不是",
    "吗",
    "呢",
    "啊",
    "吧",
    "呀",
    "哦",
    "嘛",
    "了",
    "的",
    "我",
)
BREAK = " "
_FILLER_PATTERN = re.compile("|".join(re.escape(filler) for filler in FILLERS))
MAX_QUESTION_CHARACTERS = 300
UNIGRAM = "1:"
BIGRAM = "2:"


def normalize(text: str) -> str:
    """Fold width and case, rewrite residents' spellings, and turn fillers into breaks."""
    folded = unicodedata.normalize("NFKC", text[:MAX_QUESTION_CHARACTERS]).lower()
    for written, meant in SPELLINGS:
        folded = folded.replace(written.lower(), meant.lower())
    return _FILLER_PATTERN.sub(BREAK, folded)


def runs(text: str) -> list[str]:
    """Return the runs of letters and digits of a normalized text, split at everything else."""
    found: list[str] = []
    current: list[str] = []
    for character in text:
        if character.isalnum():
            current.append(character)
        elif current:
            found.append("".join(current))
            current = []
    if current:
        found.append("".join(current))
    return found


def terms(text: str) -> list[str]:
    """Return the unigram and bigram terms of a question, repeats kept (BM25 counts them)."""
    found: list[str] = []
    for run in runs(normalize(text)):
        found.extend(UNIGRAM + character for character in run)
        found.extend(BIGRAM + run[start : start + 2] for start in range(len(run) - 1))
    return found
