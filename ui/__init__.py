"""The web chat (`rag ui`): a Gradio app over the rag service."""
