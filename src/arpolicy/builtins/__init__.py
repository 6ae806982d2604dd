"""The built-in plugins: ordinary plugins, registered first.

* ``arpolicy.channels`` (:mod:`arpolicy.builtins.channels`): e-mail, letter,
  registered letter, phone task, SMS, WhatsApp, payment link, collection
  agency, customer portal, internal task.
* ``arpolicy.rules`` (:mod:`arpolicy.builtins.rules`): dunning blocks,
  disputes, holds, payment plans and minimum amounts.

Disable one with ``make_plugin_manager(disable=[...])`` or the
``ARPOLICY_DISABLE_PLUGINS`` environment variable, and register your own
plugin in its place.
"""
