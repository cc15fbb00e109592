"""Form widgets that render without a template per piece."""

from __future__ import annotations

import copy

from django import forms
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe


def _attrs(attrs: dict) -> str:
    """What django/forms/widgets/attrs.html writes: in order, True as a bare name,
    False left out (flatatt sorts them, so it is not the same text)."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class QuickInput(forms.widgets.Input):
    """An <input> (text, hidden, …) with the HTML Django's input.html writes, built in
    Python: the template and its attributes' include cost more than the field."""

    @classmethod
    def replacing(cls, widget: forms.widgets.Input) -> QuickInput:
        """The same widget (type, attributes) rendered this way."""
        quick = copy.copy(widget)
        quick.input_type = widget.input_type  # a class attribute of TextInput, HiddenInput
        quick.__class__ = cls
        return quick

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        html = format_html('<input type="{}" name="{}"', widget["type"], widget["name"])
        if widget["value"] is not None:
            html += format_html(' value="{}"', str(widget["value"]))
        return mark_safe(html + _attrs(widget["attrs"]) + ">")  # escaped by format_html


class QuickSelect(forms.Select):
    """A drop-down with the HTML Django's select.html and select_option.html write, built
    in Python: the template engine renders one include per <option> (and one more for
    its attributes), which made the case list's filter form a fifth of the page's time
    (issue 15)."""

    @classmethod
    def replacing(cls, widget: forms.Select) -> QuickSelect:
        """The same widget (choices, attributes, required) rendered this way."""
        quick = copy.copy(widget)
        quick.__class__ = cls
        return quick

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"', widget["name"]) + _attrs(widget["attrs"]) + ">"]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">', group_name))
            parts.extend(
                format_html('<option value="{}"', str(option["value"]))
                + _attrs(option["attrs"])
                + format_html(">{}</option>", option["label"])
                for option in options
            )
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # every piece escaped by format_html
