"""The MCP server: the assistant's tools for any MCP client, over stdio or streamable HTTP."""
