"""Pure text helpers for the classifiers: French amounts and dates, numbers, keywords, tables.

* :mod:`.normalize` — folding (case, accents, dashes, quotes) and label patterns;
* :mod:`.amounts` — French amounts;
* :mod:`.dates` — French dates and delays;
* :mod:`.references` — references, invoice and lot numbers, invoice records;
* :mod:`.keywords` — weighted keyword scoring over a message's zones;
* :mod:`.tables` — tables in text (pipes, semicolons, tabs, aligned columns);
* :mod:`.caisses` — which caisse sent a message.

Every parser returns ``None`` (or nothing) when unsure: a wrong invoice number or
amount costs the professional money, a missing one only sends the message to a human.
"""
