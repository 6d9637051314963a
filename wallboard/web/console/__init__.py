"""For operators: ``/console``, where open alerts are acknowledged (``page``), in the name of whoever is
signed in (``identity``)."""
