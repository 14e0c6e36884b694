"""The Discord shell: the bot (app.py), its cogs (cogs/, loaded as extensions by name) and their helpers.

Thin: it turns events into text for the engine and Replies into messages. Nothing outside this
package imports discord.py.
"""
