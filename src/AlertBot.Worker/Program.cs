using AlertBot.Worker.Cli;

return await CliApp.Main(args);
