"""The Discord front end's cogs: thin shells that turn events into text and Replies into messages."""
