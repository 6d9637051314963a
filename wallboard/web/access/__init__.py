"""Where access control meets Flask: the request guard with CSRF (``guard``), the sign-in pages
(``login``) and the security headers every answer carries (``security``). The decisions themselves
are ``wallboard.auth``'s, free of any framework."""
