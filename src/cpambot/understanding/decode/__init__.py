"""Pure decoders for the Assurance Maladie's machine returns.

* :mod:`cpambot.understanding.decode.noemie` — NOEMIE PS return files (payments, rejects, retenues, forfaits);
* :mod:`cpambot.understanding.decode.arl` — ARL acknowledgements (the demo writer's invented layout);
* :mod:`cpambot.understanding.decode.edi` — the ``application/EDI-consent`` parts of a return e-mail.

Every public function takes bytes, does no I/O and raises nothing but
:class:`cpambot.errors.DecodeError`.
"""
