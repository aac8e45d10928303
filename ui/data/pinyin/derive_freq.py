#!/usr/bin/env python3
"""Derives freq.tsv from jieba 0.42.1's dict.txt (MIT, see LICENSE-jieba).

Run: python3 derive_freq.py path/to/jieba/dict.txt > freq.tsv
(dict.txt is in the `jieba` package's sdist: pip download --no-deps
--no-binary :all: jieba==0.42.1).

Single characters get their occurrence count over the whole dictionary
(sum of the frequency of every word containing them, times how often):
jieba's own single-character entries count a character only where it stands
alone as a word, which buries 晓 (拂晓, 知晓, 晓得) under rarer characters.
Words of two or more characters keep jieba's frequency, trimmed to the
most frequent WORDS of them so the file stays small.
"""
import sys
from collections import Counter

WORDS = 20000

chars = Counter()
words = []
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        word, freq = line.split()[:2]
        freq = int(freq)
        if not all("\u4e00" <= c <= "\u9fff" for c in word):
            continue
        for c in word:
            chars[c] += freq
        if len(word) > 1:
            words.append((freq, word))

words.sort(key=lambda fw: (-fw[0], fw[1]))
print("# word\tfrequency; derived from jieba 0.42.1 dict.txt (MIT), see README.md")
for c, n in sorted(chars.items(), key=lambda cn: (-cn[1], cn[0])):
    print(f"{c}\t{n}")
for freq, word in words[:WORDS]:
    print(f"{word}\t{freq}")
