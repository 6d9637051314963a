"""For admins: ``/admin`` (config in force, sources, cameras, the audit log: ``page``) and ``/healthz``
(``health``)."""
