//! The MCP side: rmcp's [`ServerHandler`] listing the tools and routing each call; a tool's
//! error becomes a result with `isError: true` (the agent reads it and can correct itself),
//! only an unknown tool name is a protocol error.

use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::{Map, Value};

use crate::error::ToolResult;
use crate::state::State;
use crate::{catalog, chat, generate, tools, upload};

const INSTRUCTIONS: &str = "Rivya generation models (image, video, audio) and chat models. \
Start with list_models or describe_model; quote prices a call for free. generate and chat are \
paid: they are validated first (an invalid call is refused, unpaid, with every violation by \
path), and an identical call repeated returns the same task or answer and pays once.";

/// The MCP server: cheap to clone, every clone shares one state.
#[derive(Clone)]
pub struct Server {
    pub(crate) state: Arc<State>,
}

impl Server {
    /// Runs one tool by name; `None` for a name that is not a tool.
    pub async fn call(&self, name: &str, args: &Map<String, Value>) -> Option<ToolResult> {
        let s = &*self.state;
        Some(match name {
            "list_models" => catalog::list_models(s, args),
            "describe_model" => catalog::describe_model(s, args),
            "quote" => catalog::quote(s, args).await,
            "generate" => generate::generate(s, args).await,
            "get_task" => generate::get_task(s, args).await,
            "chat" => chat::chat(s, args).await,
            "upload" => upload::upload(s, args).await,
            _ => return None,
        })
    }

    /// The session this server's keys and budget belong to.
    pub fn session(&self) -> &str {
        &self.state.session
    }
}

/// A tool's answer as MCP content: the JSON as text (what agents read), and as structured
/// content.
pub fn to_result(result: ToolResult) -> CallToolResult {
    match result {
        Ok(value) => {
            let text = serde_json::to_string_pretty(&value).unwrap_or_else(|_| value.to_string());
            let mut r = CallToolResult::success(vec![ContentBlock::text(text)]);
            if value.is_object() {
                r.structured_content = Some(value);
            }
            r
        }
        Err(e) => {
            let mut r = CallToolResult::error(vec![ContentBlock::text(e.message)]);
            r.structured_content = Some(e.data);
            r
        }
    }
}

impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("rivya", env!("CARGO_PKG_VERSION")))
            .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(tools::all(
            &self.state.models(),
        )))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let args = request.arguments.unwrap_or_default();
        match self.call(&request.name, &args).await {
            Some(result) => Ok(to_result(result).into()),
            None => Err(ErrorData::invalid_params(
                format!(
                    "unknown tool `{}`; the tools are: {}",
                    request.name,
                    tools::NAMES.join(", ")
                ),
                None,
            )),
        }
    }
}
