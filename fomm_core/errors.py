"""The one exception type for failures a user caused and can fix."""


class UserError(Exception):
    """A problem with the user's input or request; its message is meant for people.

    The message names the problem and what to do about it. The CLI prints it and exits
    non-zero; the app shows it with gr.Error.
    """
