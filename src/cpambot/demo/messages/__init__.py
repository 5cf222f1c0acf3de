"""The demo mailbox: its fictitious people, the builders of its 31 messages and their list.

* :mod:`.persona` — the professional, her patients, the caisses' addresses, clocks and amounts;
* :mod:`.mime` — trace headers, MIME assembly, attachments and tables;
* :mod:`.machine` — ARL and NOEMIE returns (télétransmission mailbox);
* :mod:`.indu` — the letters of one indu, from the constat to the CRA decision;
* :mod:`.caisse` — the caisses' other letters and notifications;
* :mod:`.amc` — complementary insurers (AMC);
* :mod:`.noise` — phishing look-alikes and unrelated mail;
* :mod:`.corpus` — every message with its category and expected handling.

Every person, number and amount is invented; NIRs are synthetic with a valid key.
"""
