"""Demo material for cpambot: synthetic NOEMIE/ARL builders and a fictitious mailbox.

Everything here is invented for demonstration and tests: the professional
(Marie Exemple), the patients (``TESTPATIENT``, ``FICTIVE``…), the NIRs
(synthetic, with a valid key) and every amount. ``python -m cpambot.demo.generate``
rebuilds ``cpambot/demo/maildir`` byte for byte; ``python -m cpambot.demo.check_demo``
checks it.
"""
