"""Pure decoders for the Assurance Maladie's machine returns.

* :mod:`bot.decode.noemie` — NOEMIE PS return files (payments, rejects, retenues, forfaits);
* :mod:`bot.decode.arl` — ARL acknowledgements (the demo writer's invented layout);
* :mod:`bot.decode.edi` — the ``application/EDI-consent`` parts of a return e-mail.

Every public function takes bytes, does no I/O and raises nothing but
:class:`bot.decode.errors.DecodeError`.
"""
