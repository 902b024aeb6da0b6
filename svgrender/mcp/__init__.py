"""The MCP server (Model Context Protocol, the official `mcp` SDK): svgrender's tools for
assistants, over stdio (`svgrender mcp`) and streamable HTTP (`/mcp` on the service).

`tools` says what the tools are and does each call through the Python client; `server` builds
the SDK's server from them; `http` mounts it in the app; `stdio` runs it for desktop assistants.
"""
