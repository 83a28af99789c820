"""
Make or delete the djangorestframework-api-key reference's key, in a process of its own:

    DJANGO_SETTINGS_MODULE=tokens.benchmark_reference.drf_settings \
        python -m tokens.benchmark_reference.drf_keys create NAME   # prints the id, then the key
    ... python -m tokens.benchmark_reference.drf_keys delete ID
"""

import sys

import django


def main(argv: list[str]) -> None:
    django.setup()
    from rest_framework_api_key.models import APIKey

    match argv:
        case ["create", name]:
            api_key, key = APIKey.objects.create_key(name=name)
            print(api_key.pk)
            print(key)
        case ["delete", pk]:
            APIKey.objects.filter(pk=pk).delete()
        case _:
            sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
