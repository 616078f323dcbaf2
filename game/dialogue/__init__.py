"""Dialogue backends and the AI character layer.

Front ends use `service.DialogueService`, `conversation.Conversation` and
`lines.generate_line`; backends implement the protocol in `base`. Nothing here imports
a model SDK until a backend that needs it is built.
"""
