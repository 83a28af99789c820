"""Reads of events, always scoped to the provider whose events they are, newest first."""

from console.accounts.models import Provider
from console.accounts.selectors import members_of
from console.api.selectors import license_keys_for
from console.audit.models import Action, ActorKind, Event, EventQuerySet
from console.audit.presentation import actor_label
from models_registry.models import AIModel
from tokens.models import Token


def events_for(provider: Provider) -> EventQuerySet:
    """The provider's events (its Activity), newest first."""
    return Event.objects.filter(provider=provider).newest_first()


def history_of_token(token: Token) -> EventQuerySet:
    """Everything that happened to one token, newest first (its History)."""
    return events_for(token.provider).filter(target_id=token.token_id)


def creation_of(token: Token) -> Event | None:
    """The event that made `token` (who, when, from where), if the record still holds it."""
    made = history_of_token(token).filter(action=Action.TOKEN_CREATED)
    return made.order_by("occurred_at").first()


def history_of_model(model: AIModel) -> EventQuerySet:
    """
    What happened to a model, and its tokens' assignments to it and removals, newest first.

    The union of two lists, the model's own events and those that name it as related, each read
    along its own index (KeysetPaginator pages a union branch by branch): `target_id = … OR
    related_id = …` can be read in order along neither, and a new model's History would scan
    every event of the provider looking for its few.
    """
    events = Event.objects.filter(provider=model.provider).order_by()
    own = events.filter(target_id=model.model_id)
    # The partial index's own condition, spelled out: SQLite uses a partial index only then.
    related = events.filter(related_id=model.model_id).exclude(related_id="")
    return own.union(related).newest_first()


def actor_choices(provider: Provider, *, selected: str | None = None) -> list[tuple[str, str]]:
    """
    Who can be picked in Activity's "Who" menu: the members and license keys of now, and the
    system. A former member or revoked key chosen from an event's link is kept, by the name
    its events remember.
    """
    choices = [(f"user:{m.user_id}", m.user.get_username()) for m in members_of(provider)]
    choices += [
        (f"key:{key.key_id}", f"License key “{key.name}”") for key in license_keys_for(provider)
    ]
    choices.append(("system", "System (commands)"))
    if selected and selected not in {ref for ref, _ in choices}:
        latest = events_for(provider).filter(actor_ref=selected).first()
        if latest is not None:
            # Staff act from the admin without belonging; others have left or been revoked.
            gone = "" if latest.actor_kind == ActorKind.STAFF else " (no longer here)"
            choices.append((selected, f"{actor_label(latest)}{gone}"))
    return choices
