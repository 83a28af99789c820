from django.core.management import call_command

from tokens.models import Token


def test_benchmark_loads_tokens_and_prints_figures(db, capsys):
    call_command("benchmark_tokens", tokens=40, small=5, models=3, repeat=1)

    output = capsys.readouterr().out
    assert Token.objects.filter(provider__name="bench").count() == 40
    assert (
        Token.objects.filter(provider__name="bench")
        .exclude(model=None)
        .exclude(model_name="")
        .exists()
    )
    assert "Loaded 40 tokens" in output
    assert output.count("median") > 40


def test_introspection_benchmark_prints_server_times_and_cleans_up(db, capsys):
    from console.api.models import LicenseKey

    call_command("benchmark_introspection", seconds=0, in_process=3)

    output = capsys.readouterr().out
    assert "introspect, usable token" in output
    assert output.count("µs median (HTTP 200)") == 3
    assert not LicenseKey.objects.exists()
    assert not Token.objects.exists()
