"""Classifiers for human correspondence: CPAM/CGSS letters and e-mails, AMC notices.

``human.classify_human`` turns a :class:`cpambot.understanding.message.ParsedMessage` into a
:class:`cpambot.understanding.facts.Reading`. Each kind of message has its own module exposing
``match(msg) -> float`` (0 = not this kind, 1 = certain) and
``read(msg, trust, caisse) -> Reading``; ``text`` holds the pure helpers they share
(French amounts and dates, invoice and lot numbers, keyword scoring, tables, the
caisse that sent a message). Machine returns (ARL, NOEMIE) are decoded elsewhere.
"""
