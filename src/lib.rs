//! surestep: idempotent, verifiable release steps for CI.
//!
//! Data flows one way in every subcommand: arguments (`cli`) → plan (pure, `model`) → protocol
//! calls (`remote`, `inspect`) → an outcome value → the output layer (`output`), the only place
//! that prints. [`run`] is the whole program behind the thin `main.rs`.

pub mod catalogue;
pub mod cli;
pub mod commands;
pub mod docs;
pub mod exit;
pub mod github_env;
pub mod inspect;
pub mod lint;
pub mod model;
pub mod output;
pub mod remote;
pub mod secret;

use cli::{Cli, Command};
use exit::ExitStatus;
use output::Reporter;

/// Runs one parsed command line to completion and returns its exit status.
pub fn run(cli: Cli) -> ExitStatus {
    init_tracing(&cli.global);
    let mut settings = cli.global.output_settings();
    if let Command::Lint(args) = &cli.command {
        settings.json |= args.format == cli::LintFormat::Json;
    }
    let reporter = Reporter::new(&settings);
    let name = cli.command.name();
    let result = match &cli.command {
        Command::CheckTag(args) => commands::check_tag::run(args, &reporter),
        Command::Lock(args) => commands::lock::run(args, &reporter),
        Command::WaitForImage(args) => commands::wait_for_image::run(args, &reporter),
        Command::Promote(args) => commands::promote::run(args, &reporter),
        Command::Publish(args) => commands::publish::run(args, &reporter),
        Command::VerifyWheels(args) => commands::verify_wheels::run(args, &reporter),
        Command::Lint(args) => commands::lint::run(args, &reporter),
    };
    result.unwrap_or_else(|err| reporter.fail(name, &err))
}

/// Parses the process arguments and runs; clap's own help/usage handling decides 0 or 2.
pub fn main_with_args() -> ExitStatus {
    use clap::{CommandFactory, FromArgMatches};
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // clap's own help and errors follow the same colour decision as everything else.
    let color = match cli::color_in(&args) {
        output::ColorChoice::Always => clap::ColorChoice::Always,
        output::ColorChoice::Never => clap::ColorChoice::Never,
        output::ColorChoice::Auto
            if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) =>
        {
            clap::ColorChoice::Never
        }
        output::ColorChoice::Auto => clap::ColorChoice::Auto,
    };
    let parsed = Cli::command()
        .color(color)
        .try_get_matches_from(&args)
        .and_then(|m| Cli::from_arg_matches(&m));
    match parsed {
        Ok(cli) => run(cli),
        Err(err) => {
            // A closed stream is no reason to panic: the status says what happened.
            let _ = err.print();
            if !err.use_stderr() {
                return ExitStatus::Success;
            }
            if cli::wants_json(&args) {
                // `--json` promises one document on stdout, usage errors included.
                output::usage_error_json(&cli::command_name_in(&args), &err);
            }
            ExitStatus::Usage
        }
    }
}

/// `-v` logs at DEBUG, `-vv` at TRACE for surestep itself. Dependencies never log below
/// DEBUG: at TRACE the AWS signer dumps whole requests, SSE-C key header included. Logs take
/// colour from the same decision as all other stderr text (`--color`, `NO_COLOR`, a terminal),
/// and a closed stderr silences them instead of panicking.
fn init_tracing(global: &cli::GlobalArgs) {
    use std::io::IsTerminal;
    let verbose = global.verbose;
    let ansi = global.color.enabled(std::io::stderr().is_terminal());
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let own = match verbose {
        0 => return,
        1 => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    };
    let filter = Targets::new().with_target("surestep", own).with_default(LevelFilter::DEBUG);
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(move || output::LogWriter::new(ansi))
        .with_target(false)
        .with_ansi(ansi)
        .log_internal_errors(false);
    let _ = tracing_subscriber::registry().with(fmt).with(filter).try_init();
}

/// Builds the tokio runtime for subcommands that talk to servers.
pub fn runtime() -> Result<tokio::runtime::Runtime, exit::CliError> {
    use exit::ResultExt;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .or_environment("starting the async runtime")
}
