"""Between the units and the city office: trusted certificates, importing signed returns, the completeness of
reporting, review (接收 / 退回) and the signed feedback file that carries a return back to its unit.

No Qt here; the window and the command reach all of it through the ``Workspace`` facade (``ws.trust``,
``ws.city``, ``ws.feedback``).
"""
