// Outgoing mail over SMTP (nodemailer), for alerts and notifications; absent when no SMTP server is configured.
import nodemailer, { type Transporter } from 'nodemailer'

export interface Mailer {
  send(message: { to: string; subject: string; text: string }): Promise<void>
  close(): void
}

export function createMailer(config: { smtpUrl?: string | undefined; mailFrom: string }): Mailer | undefined {
  if (!config.smtpUrl) return undefined
  const transport: Transporter = nodemailer.createTransport(config.smtpUrl)
  return {
    async send(message) {
      await transport.sendMail({ from: config.mailFrom, ...message })
    },
    close() {
      transport.close()
    },
  }
}
