using AlertBot.Worker.Cli;

return await CliApp.RunMainAsync(args);
