"""
Reference servers for `manage.py benchmark_introspection`: what a token check costs elsewhere.

- `settings` / `urls` / `views`: bare Django, no middleware and no apps, one plain view doing
  the least a token check must (HMAC-SHA256 digest, one indexed SELECT, a constant-time compare,
  a JSON answer) on the console's own database and token table.
- `drf_settings` / `drf_urls` / `drf_keys`: REST framework with djangorestframework-api-key
  (the `bench` extra), an APIView guarded by `HasAPIKey`.

Each is served by its own gunicorn (`tokens.benchmark_reference.wsgi`, with
DJANGO_SETTINGS_MODULE naming the settings); nothing here is part of the console itself.
"""
