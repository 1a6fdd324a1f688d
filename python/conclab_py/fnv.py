"""fnv.py - the hashes behind every value and checksum, as C computes them.

Lesson: the checksum is the contract between the C and Python sides.  It
is FNV-1a (64 bit) over each slot's index, status and value, exactly as
workloads/registry.c folds it, so a Python run that computes the same task
values gives the same checksum as C's seq: the oracle for both languages.
"""

INIT = 0xCBF29CE484222325
PRIME = 0x100000001B3
MASK = 0xFFFFFFFFFFFFFFFF


def hash_bytes(h, data):
    """FNV-1a over data, one byte at a time (wl_hash_bytes)."""
    for b in data:
        h = ((h ^ b) * PRIME) & MASK
    return h


def hash_word(h, word):
    """The word's 8 bytes, least significant first (wl_hash_word)."""
    for _ in range(8):
        h = ((h ^ (word & 0xFF)) * PRIME) & MASK
        word >>= 8
    return h


def checksum(slots):
    """Fold the slots, in order, into one number (wl_checksum)."""
    h = INIT
    for i, s in enumerate(slots):
        h = hash_word(h, i)
        h = hash_word(h, s.status)
        h = hash_word(h, s.value)
    return h


def mix(x):
    """splitmix64 (workloads/http.c): seeded failures and jitter."""
    x = (x + 0x9E3779B97F4A7C15) & MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


def draw(seed, index, attempt, purpose):
    """A number in [0, 1) fixed by (seed, task, attempt, purpose)."""
    h = mix(mix(mix(seed) ^ index) ^ attempt)
    h = mix(h ^ purpose)
    return (h >> 11) / 9007199254740992.0
