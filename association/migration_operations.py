"""A migration operation for labels alone (docs/decisions/0028).

Giving models and fields translated names (`verbose_name`) changes no table, but one
`AlterField` per field makes Django re-render the migration state for each: 464 of
them took a fresh `migrate` from ~17 s to ~83 s, paid by every test database and every
new install. `Relabel` applies all the names to the state at once and reloads each
model once; the database is not touched either way.
"""

from __future__ import annotations

from django.db.migrations.operations.base import Operation


class Relabel(Operation):
    """`labels`: {model name: {"options": {...}, "fields": {field name: verbose name}}},
    the model options (verbose_name, verbose_name_plural, ...) and field names an
    `AlterModelOptions` and `AlterField`s would set."""

    reduces_to_sql = False
    reversible = True

    def __init__(self, labels: dict[str, dict]):
        self.labels = labels

    def deconstruct(self):
        return (self.__class__.__qualname__, [], {"labels": self.labels})

    def state_forwards(self, app_label, state):
        for model_name, spec in self.labels.items():
            key = (app_label, model_name)
            model_state = state.models[key]
            for name, label in spec.get("fields", {}).items():
                old = model_state.fields[name]
                _, _, args, kwargs = old.deconstruct()
                new = old.__class__(*args, **{**kwargs, "verbose_name": label})
                # As ProjectState.alter_field does: the relations index points at fields.
                if state._relations is not None and old.is_relation:
                    del model_state.fields[name]
                    state.resolve_model_field_relations(key, name, old)
                model_state.fields[name] = new
                if state._relations is not None and new.is_relation:
                    state.resolve_model_field_relations(key, name, new)
            model_state.options = {**model_state.options, **spec.get("options", {})}
        state.reload_models([(app_label, name) for name in self.labels], delay=True)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        pass  # labels live in Python only

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass

    def describe(self):
        return f"Relabel {len(self.labels)} models and their fields"

    @property
    def migration_name_fragment(self):
        return "relabel"
