'use strict';
// Client matrix checks with the mysql2 driver. Usage: node mysql2.js host port user password database [compress]
let mysql;
try {
  mysql = require('mysql2/promise');
} catch (e) {
  process.stderr.write(`missing driver: ${e.message.split('\n')[0]}; run 'npm ci' in ${__dirname}\n`);
  process.exit(3);
}
const { run } = require('./matrix');

const adapter = {
  connect: (options, multi, charset = 'utf8mb4') => mysql.createConnection({ ...options,
    charset: charset === 'latin1' ? 'LATIN1_SWEDISH_CI' : 'UTF8MB4_GENERAL_CI',
    multipleStatements: multi }),
  query: async (connection, sql, params) => (await connection.query({ sql, rowsAsArray: true }, params))[0],
  execute: async (connection, sql, params) => (await connection.execute({ sql, rowsAsArray: true }, params))[0],
  affected: async (connection, sql) => (await connection.query(sql))[0].affectedRows,
  multi: async (connection, sql) => (await connection.query({ sql, rowsAsArray: true }))[0].filter(Array.isArray),
  stream: (connection, sql, onRow) => new Promise((resolve, reject) => {
    connection.connection.query({ sql, rowsAsArray: true })
      .on('result', onRow)
      .on('error', reject)
      .on('end', resolve);
  }),
  errorText: (e) => `error ${e.errno} ${e.sqlState} ${e.sqlMessage}`,
  compression: { compress: true }, // the connect option for the script's 'compress' argument
};

run('mysql2', adapter).catch((e) => {
  console.log('FAIL unexpected ' + e.stack.replace(/\n/g, ' '));
  process.exit(1);
});
