"""For the wall PCs: the wall page with its browser assets (``page``, ``assets/``) and the wall replayed
at a past minute (``replay``)."""
