# syntax=docker/dockerfile:1
# AlertBot: build on the .NET 10 SDK, run on the .NET 10 runtime as a non-root user.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the solution and build files only, so this layer is cached until a project file changes.
COPY AlertBot.sln Directory.Build.props Directory.Packages.props global.json .editorconfig ./
COPY src/AlertBot.Core/AlertBot.Core.csproj src/AlertBot.Core/
COPY src/AlertBot.Feeds/AlertBot.Feeds.csproj src/AlertBot.Feeds/
COPY src/AlertBot.Storage/AlertBot.Storage.csproj src/AlertBot.Storage/
COPY src/AlertBot.Telegram/AlertBot.Telegram.csproj src/AlertBot.Telegram/
COPY src/AlertBot.Discord/AlertBot.Discord.csproj src/AlertBot.Discord/
COPY src/AlertBot.Worker/AlertBot.Worker.csproj src/AlertBot.Worker/
RUN dotnet restore src/AlertBot.Worker/AlertBot.Worker.csproj
COPY src/ src/
COPY config/ config/
COPY seeds/ seeds/
RUN dotnet publish src/AlertBot.Worker/AlertBot.Worker.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/runtime:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# SQLite lives on a volume; the image's own config/ and seeds/ are the defaults (mount over /app/config to change them).
ENV AlertBot__Storage__ConnectionString="Data Source=/data/alertbot.db" \
    DOTNET_ENVIRONMENT=Production
RUN mkdir -p /data && chown "$APP_UID" /data
VOLUME ["/data"]
USER $APP_UID
ENTRYPOINT ["dotnet", "/app/alertbot.dll"]
CMD ["run"]
